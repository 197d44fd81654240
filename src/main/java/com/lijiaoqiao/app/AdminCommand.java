package com.lijiaoqiao.app;

import com.lijiaoqiao.http.GatewayException;
import com.lijiaoqiao.identity.Users;
import com.lijiaoqiao.store.AccountRepository;
import com.lijiaoqiao.store.AuditRepository;
import com.lijiaoqiao.store.Database;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Administrative tasks run against the database directly (bootstrap, recovery). */
@Command(name = "admin", description = "Administrative tasks (create-user).",
    subcommands = {AdminCommand.CreateUser.class})
final class AdminCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "create-user", description = "Create a user (and a personal tenant unless --tenant-id is given).")
  static final class CreateUser implements Callable<Integer> {
    @Option(names = "--config", description = "YAML configuration file.")
    Path config;

    @Option(names = "--email", required = true)
    String email;

    @Option(names = "--password", description = "The password; when omitted it is read from standard input.")
    String password;

    @Option(names = "--role", defaultValue = "member", description = "admin | tenant_admin | member | supplier")
    String role;

    @Option(names = "--tenant-id", description = "An existing tenant; default: a new personal tenant.")
    Long tenantId;

    @Option(names = "--name")
    String name;

    @Override
    public Integer call() throws Exception {
      GatewayConfig cfg = ConfigLoader.load(config, System.getenv());
      String pw = password;
      if (pw == null) {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        pw = in.readLine();
      }
      String url = cfg.database.url.isBlank() ? Database.embeddedUrl(Path.of(cfg.dataDir)) : cfg.database.url;
      try (Database db = Database.open(url, cfg.database.username, cfg.database.password, 2)) {
        db.migrate();
        AccountRepository accounts = new AccountRepository(db.dataSource());
        long id;
        try {
          id = Users.create(accounts, email, pw, name, role, tenantId);
        } catch (GatewayException e) {
          System.err.println("ljq: " + e.getMessage());
          return 1;
        }
        AccountRepository.UserView v = accounts.findView(id).orElseThrow();
        new AuditRepository(db.dataSource()).append(new AuditRepository.Event(null, null, v.tenantId(),
            "user.create.cli", "user", Long.toString(id), null,
            com.lijiaoqiao.identity.IdentityApi.JSON.writeValueAsString(v), null, "cli"));
        System.out.println("created user " + id + " (" + v.email() + ", role " + v.role() + ", tenant "
            + v.tenantId() + ")");
      }
      return 0;
    }
  }
}

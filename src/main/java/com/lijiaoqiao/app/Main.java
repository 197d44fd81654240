package com.lijiaoqiao.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: ljq demo | serve | simulate | migrate | admin | bench. */
@Command(name = "ljq", mixinStandardHelpOptions = true, version = "ljq 0.1.0",
    description = "Lijiaoqiao (立交桥) LLM API gateway.",
    subcommands = {DemoCommand.class, ServeCommand.class, SimulateCommand.class, MigrateCommand.class,
        ReconcileCommand.class, ArchiveCommand.class, AuditCommand.class, BenchCommand.class, AdminCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static void main(String[] args) {
    int code = new CommandLine(new Main())
        .setExecutionExceptionHandler((ex, cmd, parsed) -> {
          if (ex instanceof ConfigLoader.ConfigException) {
            cmd.getErr().println("ljq: configuration error: " + ex.getMessage());
            return 2;
          }
          throw ex;
        })
        .execute(args);
    if (code != 0) System.exit(code);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}

package com.lijiaoqiao.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server for the storage tests: S3Proxy (from its Maven artifact) on loopback over a filesystem
 * blob store, with AWS signature v4 authentication. {@link #stop} takes it away (the store "goes down") and
 * {@link #start} brings it back on the same port with the same objects.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key-planted-9f3a";
  public final String bucket = "ljq-test";
  public final int port = TestGateway.freePort();
  private final Path dir;
  private BlobStoreContext context;
  private S3Proxy proxy;

  public S3Server() throws Exception {
    this.dir = Files.createTempDirectory("ljq-s3");
    start();
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public synchronized void start() throws Exception {
    if (proxy != null) return;
    Properties p = new Properties();
    p.setProperty("jclouds.filesystem.basedir", dir.toString());
    context = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(p)
        .build(BlobStoreContext.class);
    S3Proxy s = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create(endpoint()))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
    s.start();
    while (!AbstractLifeCycle.STARTED.equals(s.getState())) Thread.sleep(5);
    proxy = s;
  }

  /** The store goes away: connections are refused until {@link #start}. */
  public synchronized void stop() throws Exception {
    if (proxy == null) return;
    proxy.stop();
    context.close();
    proxy = null;
  }

  /** The filesystem path of an object (to alter it behind the gateway's back). */
  public Path file(String key) {
    return dir.resolve(bucket).resolve(key);
  }

  /** Fills the storage settings of a gateway's configuration to use this server. */
  public void configure(com.lijiaoqiao.app.GatewayConfig cfg, String prefix) {
    var s3 = cfg.storage.s3;
    s3.enabled = true;
    s3.endpoint = endpoint();
    s3.bucket = bucket;
    s3.prefix = prefix;
    s3.pathStyle = true;
    s3.accessKeyId = ACCESS_KEY;
    s3.secretAccessKey = SECRET_KEY;
    s3.timeoutMs = 3_000;
    s3.maxAttempts = 2;
    s3.probeIntervalMs = 0; // readiness reflects the server at once
  }

  @Override
  public void close() throws Exception {
    stop();
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}

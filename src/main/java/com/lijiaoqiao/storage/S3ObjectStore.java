package com.lijiaoqiao.storage;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link ObjectStore} on the AWS SDK v2. The HTTP client is the JDK's URLConnection (no second Netty beside Vert.x's).
 * Request checksums are sent only when an operation requires them: several S3-compatible stores reject the SDK's
 * newer default trailers. The SDK's standard retry mode backs off between attempts, throttling included.
 */
public final class S3ObjectStore implements ObjectStore {
  /** What the gateway needs to reach a bucket. Secrets are never part of {@link #toString}. */
  public record Settings(String endpoint, String region, String bucket, String prefix, boolean pathStyle,
                         String accessKeyId, String secretAccessKey, String serverSideEncryption, String kmsKeyId,
                         Duration timeout, int maxAttempts) {
    @Override
    public String toString() {
      return "S3[" + bucket + "/" + prefix + (endpoint.isBlank() ? "" : " at " + endpoint) + "]";
    }
  }

  private final S3Client s3;
  private final S3Presigner presigner;
  private final String bucket;
  private final String prefix;
  private final ServerSideEncryption sse;
  private final String kmsKeyId;

  public S3ObjectStore(Settings s) {
    if (s.bucket() == null || s.bucket().isBlank()) throw new IllegalArgumentException("storage.s3.bucket is required");
    this.bucket = s.bucket();
    String p = s.prefix() == null ? "" : s.prefix().replaceAll("^/+|/+$", "");
    this.prefix = p.isEmpty() ? "" : p + "/";
    this.sse = s.serverSideEncryption() == null || s.serverSideEncryption().isBlank() ? null
        : ServerSideEncryption.fromValue(s.serverSideEncryption());
    if (sse == ServerSideEncryption.UNKNOWN_TO_SDK_VERSION) {
      throw new IllegalArgumentException("storage.s3.server_side_encryption must be AES256 or aws:kms");
    }
    this.kmsKeyId = s.kmsKeyId() == null || s.kmsKeyId().isBlank() ? null : s.kmsKeyId();
    AwsCredentialsProvider creds = s.accessKeyId() == null || s.accessKeyId().isBlank()
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey()));
    S3Configuration service = S3Configuration.builder().pathStyleAccessEnabled(s.pathStyle()).build();
    Region region = Region.of(s.region() == null || s.region().isBlank() ? "us-east-1" : s.region());
    var builder = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(s.timeout()).socketTimeout(s.timeout()).build())
        .region(region).credentialsProvider(creds).serviceConfiguration(service)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD)
            .retryStrategy(b -> b.maxAttempts(Math.max(1, s.maxAttempts())))
            .apiCallTimeout(s.timeout().multipliedBy(Math.max(1, s.maxAttempts()))));
    var presign = S3Presigner.builder().region(region).credentialsProvider(creds).serviceConfiguration(service);
    if (s.endpoint() != null && !s.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(s.endpoint()));
      presign.endpointOverride(URI.create(s.endpoint()));
    }
    this.s3 = builder.build();
    this.presigner = presign.build();
  }

  private String full(String key) {
    return prefix + key;
  }

  @Override
  public void put(String key, byte[] bytes, String contentType) {
    PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(bucket).key(full(key)).contentType(contentType);
    if (sse != null) req.serverSideEncryption(sse);
    if (sse == ServerSideEncryption.AWS_KMS && kmsKeyId != null) req.ssekmsKeyId(kmsKeyId);
    call("put", () -> s3.putObject(req.build(), RequestBody.fromBytes(bytes)));
  }

  @Override
  public byte[] get(String key) {
    try {
      ResponseBytes<GetObjectResponse> r = call("get", () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(full(key))));
      return r.asByteArray();
    } catch (StoreUnavailable e) {
      if (e.getCause() instanceof NoSuchKeyException) return null;
      throw e;
    }
  }

  @Override
  public List<Listed> list(String under, int max) {
    List<Listed> out = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      var page = call("list", () -> s3.listObjectsV2(b -> b.bucket(bucket).prefix(full(under))
          .maxKeys(Math.min(1000, max)).continuationToken(t)));
      for (S3Object o : page.contents()) {
        if (o.key().endsWith("/")) continue; // a folder marker some stores list, not an object
        if (out.size() >= max) return out;
        out.add(new Listed(o.key().substring(prefix.length()), o.size(), o.lastModified()));
      }
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null && out.size() < max);
    return out;
  }

  /** One call per key: multi-object delete needs checksums several S3-compatible stores do not implement. */
  @Override
  public void delete(List<String> keys) {
    for (String k : keys) call("delete", () -> s3.deleteObject(b -> b.bucket(bucket).key(full(k))));
  }

  @Override
  public URL presignGet(String key, Duration ttl, String downloadName) {
    return presigner.presignGetObject(b -> b.signatureDuration(ttl).getObjectRequest(g -> g.bucket(bucket)
        .key(full(key)).responseContentDisposition("attachment; filename=\"" + downloadName + "\""))).url();
  }

  @Override
  public void check() {
    call("check", () -> s3.headBucket(b -> b.bucket(bucket)));
  }

  /** SDK failures become {@link StoreUnavailable} naming the operation and the failure's kind (never a secret). */
  private static <T> T call(String op, java.util.function.Supplier<T> f) {
    try {
      return f.get();
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      throw new StoreUnavailable("object store " + op + " failed: HTTP " + e.statusCode() + " "
          + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode()), e);
    } catch (SdkException e) {
      throw new StoreUnavailable("object store " + op + " failed: " + e.getClass().getSimpleName(), e);
    }
  }

  @Override
  public void close() {
    presigner.close();
    s3.close();
  }
}

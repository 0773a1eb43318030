package org.eucalypt.storage;

import org.eucalypt.config.Settings;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

import java.net.URI;
import java.time.Duration;

/** The S3 client the settings describe. */
final class S3Clients {
  /** Files above this go up as multipart uploads, in parts of {@link #PART_SIZE}. */
  static final long MULTIPART_THRESHOLD = 16L * 1024 * 1024;
  static final long PART_SIZE = 8L * 1024 * 1024;

  private S3Clients() {
  }

  /**
   * Credentials the standard AWS way (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, or
   * the instance's role). With an endpoint (MinIO, Ceph, S3Mock...), path-style addressing, which
   * those expect.
   */
  static S3AsyncClient of(Settings settings) {
    S3AsyncClientBuilder b = S3AsyncClient.builder()
      .region(Region.of(settings.s3Region()))
      .credentialsProvider(DefaultCredentialsProvider.builder().build())
      .httpClientBuilder(NettyNioAsyncHttpClient.builder()
        .maxConcurrency(64)
        .connectionAcquisitionTimeout(Duration.ofSeconds(30)))
      .multipartEnabled(true)
      .multipartConfiguration(m -> m.thresholdInBytes(MULTIPART_THRESHOLD).minimumPartSizeInBytes(PART_SIZE));
    if (!settings.s3Endpoint().isEmpty()) {
      b.endpointOverride(URI.create(settings.s3Endpoint())).forcePathStyle(true);
    }
    return b.build();
  }
}

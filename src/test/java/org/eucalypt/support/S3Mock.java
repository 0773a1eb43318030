package org.eucalypt.support;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * Adobe's S3Mock, the Spring Boot jar Maven copies to {@code target/s3mock/s3mock.jar}, run as a
 * process of its own: its Spring Boot, Jackson and Logback never meet ours on one classpath.
 * It is stopped with the test JVM at the latest.
 */
public final class S3Mock {
  public static final String ACCESS_KEY = "eucalypt-test";
  public static final String SECRET_KEY = "eucalypt-test-secret";

  private final Process process;
  private final int port;

  private S3Mock(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static S3Mock start() {
    Path jar = Path.of("target", "s3mock", "s3mock.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the tests through Maven, which copies it there");
    }
    int http = Clustered.freePort();
    int https = Clustered.freePort();
    try {
      Path root = Files.createTempDirectory("eucalypt-s3mock-");
      Path log = root.resolve("s3mock.log");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar.toAbsolutePath().toString(),
        "--server.port=" + https, "--com.adobe.testing.s3mock.httpPort=" + http)
        .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("COM_ADOBE_TESTING_S3MOCK_STORE_ROOT", root.resolve("store").toString());
      Process p = pb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
      S3Mock mock = new S3Mock(p, http);
      mock.awaitListening(Duration.ofSeconds(90), log);
      return mock;
    } catch (IOException e) {
      throw new IllegalStateException("could not start S3Mock", e);
    }
  }

  private void awaitListening(Duration within, Path log) {
    await("S3Mock listening (its log: " + log + ")").atMost(within).pollInterval(Duration.ofMillis(200))
      .until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("S3Mock exited: " + Files.readString(log));
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
          return true;
        } catch (IOException notYet) {
          return false;
        }
      });
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** A plain blocking client, for tests to look into the bucket. */
  public S3Client client() {
    return S3Client.builder()
      .endpointOverride(URI.create(endpoint()))
      .forcePathStyle(true)
      .region(Region.US_EAST_1)
      .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
      .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
      .build();
  }

  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

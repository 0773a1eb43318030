package org.eucalypt.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class SettingsTest {

  @Test
  void theShippedFileHoldsEveryDefault(Vertx vertx) {
    Settings s = Settings.from(SettingsLoader.merge(defaults(vertx)));
    assertEquals(8080, s.httpPort());
    assertEquals("postgresql://localhost:5432/eucalypt", s.databaseUrl());
    assertEquals("data/blobs", s.storageDir());
    assertEquals(Duration.ofDays(90), s.trashRetention());
    assertEquals(Duration.ofSeconds(10), s.drainInterval());
    assertEquals(100, s.drainBatchSize());
    assertEquals(100, s.drainBatchesPerTick());
  }

  @Test
  void environmentVariablesOverrideTheFile(Vertx vertx) {
    JsonObject raw = defaults(vertx)
      .put("EUCALYPT_HTTP_PORT", "9090")
      .put("EUCALYPT_TRASH_RETENTION", "PT1H")
      .put("EUCALYPT_DRAIN_BATCH_SIZE", "7");
    Settings s = Settings.from(SettingsLoader.merge(raw));
    assertEquals(9090, s.httpPort());
    assertEquals(Duration.ofHours(1), s.trashRetention());
    assertEquals(7, s.drainBatchSize());
  }

  @Test
  void aBadValueStopsTheStartNamingItsVariable(Vertx vertx) {
    assertRejected(vertx, "EUCALYPT_HTTP_PORT", "eighty");
    assertRejected(vertx, "EUCALYPT_HTTP_PORT", "70000");
    assertRejected(vertx, "EUCALYPT_TRASH_RETENTION", "90 days");
    assertRejected(vertx, "EUCALYPT_DRAIN_INTERVAL", "PT0S");
    assertRejected(vertx, "EUCALYPT_DRAIN_INTERVAL", "-PT5S");
    assertRejected(vertx, "EUCALYPT_DRAIN_BATCH_SIZE", "0");
    assertRejected(vertx, "EUCALYPT_DRAIN_BATCHES_PER_TICK", "many");
    assertRejected(vertx, "EUCALYPT_DATABASE_URL", "mysql://localhost/eucalypt");
    assertRejected(vertx, "EUCALYPT_DATABASE_URL", "postgresql://localhost:5432/");
    assertRejected(vertx, "EUCALYPT_STORAGE_DIR", " ");
  }

  @Test
  void aDatabaseUrlWithoutUserConnectsAsTheOperatingSystemUser() {
    DatabaseUrl u = DatabaseUrl.parse("postgresql://db.example.org/photos");
    assertEquals("db.example.org", u.host());
    assertEquals(5432, u.port());
    assertEquals("photos", u.database());
    assertEquals(System.getProperty("user.name"), u.user());
    DatabaseUrl withUser = DatabaseUrl.parse("postgresql://eu%40cal:s3cret@localhost:6543/photos");
    assertEquals("eu@cal", withUser.user());
    assertEquals("s3cret", withUser.password());
    assertEquals(6543, withUser.port());
  }

  @Test
  void unclusteredAndOnLocalStorageByDefault(Vertx vertx) {
    Settings s = Settings.from(SettingsLoader.merge(defaults(vertx)));
    assertFalse(s.clustered());
    assertEquals(List.of(), s.clusterMembers());
    assertEquals("127.0.0.1", s.clusterHost());
    assertEquals(0, s.clusterBusPort());
    assertEquals("local", s.storage());
    assertFalse(s.s3());
  }

  @Test
  void theClusterAndS3ComeFromTheEnvironment(Vertx vertx) {
    JsonObject raw = defaults(vertx)
      .put("EUCALYPT_CLUSTER_PORT", "5701")
      .put("EUCALYPT_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5702")
      .put("EUCALYPT_CLUSTER_HOST", "10.0.0.1")
      .put("EUCALYPT_CLUSTER_BUS_PORT", "15701")
      .put("EUCALYPT_STORAGE", "s3")
      .put("EUCALYPT_S3_ENDPOINT", "http://127.0.0.1:9090")
      .put("EUCALYPT_S3_BUCKET", "photos")
      .put("EUCALYPT_S3_REGION", "eu-west-1");
    Settings s = Settings.from(SettingsLoader.merge(raw));
    assertTrue(s.clustered());
    assertEquals(5701, s.clusterPort());
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5702"), s.clusterMembers());
    assertEquals("10.0.0.1", s.clusterHost());
    assertEquals(15701, s.clusterBusPort());
    assertTrue(s.s3());
    assertEquals("http://127.0.0.1:9090", s.s3Endpoint());
    assertEquals("photos", s.s3Bucket());
    assertEquals("eu-west-1", s.s3Region());
  }

  @Test
  void badClusterAndStorageValuesNameTheirVariable(Vertx vertx) {
    assertRejected(vertx, "EUCALYPT_CLUSTER_PORT", "0");
    assertRejected(vertx, "EUCALYPT_CLUSTER_PORT", "hazel");
    assertRejected(vertx, "EUCALYPT_CLUSTER_MEMBERS", "10.0.0.1");
    assertRejected(vertx, "EUCALYPT_CLUSTER_MEMBERS", "10.0.0.1:5701,:5702");
    assertRejected(vertx, "EUCALYPT_CLUSTER_MEMBERS", "10.0.0.1:99999");
    assertRejected(vertx, "EUCALYPT_CLUSTER_BUS_PORT", "-1");
    assertRejected(vertx, "EUCALYPT_CLUSTER_HOST", " ");
    assertRejected(vertx, "EUCALYPT_STORAGE", "ftp");
    assertRejected(vertx, "EUCALYPT_S3_ENDPOINT", "s3.example.org");
    // s3 without a bucket names the bucket's variable
    JsonObject raw = defaults(vertx).put("EUCALYPT_STORAGE", "s3");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.from(SettingsLoader.merge(raw)));
    assertTrue(e.getMessage().startsWith("EUCALYPT_S3_BUCKET"), e.getMessage());
  }

  private static void assertRejected(Vertx vertx, String variable, String value) {
    JsonObject raw = defaults(vertx).put(variable, value);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> Settings.from(SettingsLoader.merge(raw)), variable + "=" + value);
    assertTrue(e.getMessage().startsWith(variable), e.getMessage());
  }

  private static JsonObject defaults(Vertx vertx) {
    return new JsonObject(vertx.fileSystem().readFileBlocking("config/eucalypt.json"));
  }
}

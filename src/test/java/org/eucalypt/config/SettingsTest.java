package org.eucalypt.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    assertEquals(500, s.drainBatchSize());
    assertEquals(20, s.drainBatchesPerTick());
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

package org.eucalypt.ops;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * status and drain --once, in-process against a live server's database: status shows a purge
 * part-way through; drain --once finishes it (CommandsIT runs the same through the jar).
 */
@ExtendWith(ServerExtension.class)
class CommandsTest {
  private TestServer server;

  @BeforeEach
  void start(TestServer started) {
    server = started;
  }

  @Test
  void statusShowsProgressAndDrainOnceFinishesThePurge() {
    User alice = server.newUser();
    String purging = server.createLibrary(alice, "Purging");
    String restorable = server.createLibrary(alice, "Restorable");
    for (int i = 0; i < 5; i++) {
      server.uploadRandom(alice, purging);
    }
    server.uploadRandom(alice, restorable);
    assertEquals(200, server.post("/api/libraries/" + restorable + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.post("/api/libraries/" + purging + "/trash", alice.key(), null).statusCode());
    assertEquals(200, server.call(HttpMethod.DELETE, "/api/libraries/" + purging, alice.key(), null).statusCode());
    // Two of five assets gone.
    assertEquals(2, server.drain(2).runBatch().await().purgedAssets().size());

    JsonObject status = new JsonObject(run(c -> c.status(true)).trim());
    assertEquals(2, status.getInteger("libraries_awaiting_purge"));
    assertEquals(1, status.getInteger("libraries_due"));
    JsonObject first = status.getJsonArray("libraries").getJsonObject(0);
    assertEquals(purging, first.getString("id"));
    assertEquals("purging", first.getString("state"));
    assertEquals(2, first.getInteger("assets_purged"));
    assertEquals(3, first.getInteger("assets_left"));
    assertEquals(0.4, first.getDouble("progress"));
    JsonObject second = status.getJsonArray("libraries").getJsonObject(1);
    assertEquals(restorable, second.getString("id"));
    assertEquals("restorable", second.getString("state"));

    String table = run(c -> c.status(false));
    assertTrue(table.startsWith("2 trashed libraries awaiting purge, 1 of them past their window"), table);
    assertTrue(table.contains(purging) && table.contains("40.0%"), table);

    JsonObject pass = new JsonObject(run(Commands::drainOnce).trim());
    assertEquals(3, pass.getInteger("assets_purged"));
    assertEquals(1, pass.getInteger("libraries_removed"));
    assertEquals(404, server.get("/api/libraries/" + purging, alice.key()).statusCode());
    assertEquals(200, server.get("/api/libraries/" + restorable, alice.key()).statusCode());
    server.assertInvariants();
    assertEquals(1, new JsonObject(run(c -> c.status(true)).trim()).getInteger("libraries_awaiting_purge"));
  }

  private String run(java.util.function.Function<Commands, io.vertx.core.Future<Integer>> command) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = command.apply(new Commands(server.vertx, server.app.settings(), out, server.clock)).await();
    assertEquals(0, code);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}

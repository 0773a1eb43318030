package org.eucalypt.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.eucalypt.auth.AuthTesting.Key;
import org.eucalypt.id.Ids;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.eucalypt.auth.AuthTesting.ALL_ACTIONS;
import static org.eucalypt.auth.AuthTesting.assertNotAuthenticated;
import static org.eucalypt.auth.AuthTesting.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A deleted or deactivated key stops working at once, although principals are cached: on the
 * instance that made the change from the very next request, on every other instance (sharing
 * only PostgreSQL) as soon as the NOTIFY arrives.
 */
@ExtendWith(ServerExtension.class)
class RevocationTest {
  /** Enough fresh connections to reach (and fill the cache of) every HTTP verticle of a server. */
  private static final int SPREAD = 3 * Runtime.getRuntime().availableProcessors();

  private static TestServer server;
  private User alice;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
  }

  @BeforeEach
  void user() {
    alice = server.newUser();
  }

  /** A client that opens a new connection for every request, so requests land on every event loop. */
  private static WebClient spreading(TestServer s) {
    return WebClient.create(s.vertx, new WebClientOptions().setDefaultHost("localhost")
      .setDefaultPort(s.app.port()).setKeepAlive(false));
  }

  private static HttpResponse<Buffer> get(WebClient client, String path, String key) {
    return client.get(path).bearerTokenAuthentication(key).send().await();
  }

  /** Uses {@code key} on every HTTP verticle of the server {@code client} talks to, so each caches it. */
  private static void warm(WebClient client, String key) {
    for (int i = 0; i < SPREAD; i++) {
      assertStatus(200, get(client, "/api/libraries", key));
    }
  }

  private static void allRefused(WebClient client, String key) {
    for (int i = 0; i < SPREAD; i++) {
      assertNotAuthenticated(get(client, "/api/libraries", key));
    }
  }

  // ================================================================ one instance

  @Test
  void aDeletedKeyAnswers401OnItsVeryNextRequestOnEveryEventLoop() {
    WebClient client = spreading(server);
    try {
      for (int round = 0; round < 5; round++) {
        Key key = AuthTesting.createKey(server, alice, List.of("read"), null);
        warm(client, key.secret());
        HttpResponse<Buffer> deleted = client.delete("/api/api-keys/" + key.id())
          .bearerTokenAuthentication(alice.key()).send().await();
        assertStatus(200, deleted);
        assertEquals(new JsonObject(), deleted.bodyAsJsonObject());
        // The very next request, whichever event loop takes it, and every one after.
        allRefused(client, key.secret());
        assertNotAuthenticated(server.get("/api/libraries", key.secret()));
      }
      // Other keys of the same user are untouched.
      assertStatus(200, server.get("/api/libraries", alice.key()));
    } finally {
      client.close();
    }
  }

  @Test
  void aDeactivatedKeyAnswers401AtOnceAndWorksAgainWhenReactivated() {
    WebClient client = spreading(server);
    try {
      Key key = AuthTesting.createKey(server, alice, ALL_ACTIONS, null);
      for (int round = 0; round < 3; round++) {
        warm(client, key.secret());
        assertStatus(200, server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
          new JsonObject().put("is_active", false)));
        allRefused(client, key.secret());
        // A refused key cannot turn itself back on.
        assertNotAuthenticated(server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), key.secret(),
          new JsonObject().put("is_active", true)));
        assertStatus(200, server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
          new JsonObject().put("is_active", true)));
        warm(client, key.secret());
      }
      // Renaming leaves it working.
      assertStatus(200, server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
        new JsonObject().put("name", "renamed")));
      warm(client, key.secret());
    } finally {
      client.close();
    }
  }

  @Test
  void aKeyDeactivatingItselfIsRefusedFromItsNextRequest() {
    Key key = AuthTesting.createKey(server, alice, ALL_ACTIONS, null);
    assertStatus(200, server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), key.secret(),
      new JsonObject().put("is_active", false)));
    assertNotAuthenticated(server.get("/api/libraries", key.secret()));
  }

  // ================================================================ two instances

  @Test
  void aKeyRevokedOnOneInstanceIsRefusedOnAnotherWithinTwoSeconds() {
    Vertx otherVertx = Vertx.vertx();
    TestServer b = null;
    WebClient onA = spreading(server);
    WebClient onB = null;
    try {
      b = server.startAnotherInstance(otherVertx);
      onB = spreading(b);

      // Deleted through A, while B has it cached.
      Key deleted = AuthTesting.createKey(server, alice, List.of("read"), null);
      warm(onB, deleted.secret());
      assertStatus(200, server.call(HttpMethod.DELETE, "/api/api-keys/" + deleted.id(), alice.key(), null));
      long ms = awaitRefused(onB, deleted.secret());
      allRefused(onB, deleted.secret());
      System.out.println("RevocationTest: a delete on A reached B in about " + ms + " ms");

      // Deactivated through A, then reactivated: B follows both ways.
      Key toggled = AuthTesting.createKey(server, alice, List.of("read"), null);
      warm(onB, toggled.secret());
      assertStatus(200, server.call(HttpMethod.PATCH, "/api/api-keys/" + toggled.id(), alice.key(),
        new JsonObject().put("is_active", false)));
      awaitRefused(onB, toggled.secret());
      allRefused(onB, toggled.secret());
      assertStatus(200, server.call(HttpMethod.PATCH, "/api/api-keys/" + toggled.id(), alice.key(),
        new JsonObject().put("is_active", true)));
      warm(onB, toggled.secret());

      // And the other way round: deleted through B, refused on A.
      Key viaB = AuthTesting.createKey(server, alice, List.of("read"), null);
      warm(onA, viaB.secret());
      assertStatus(200, b.call(HttpMethod.DELETE, "/api/api-keys/" + viaB.id(), alice.key(), null));
      awaitRefused(onA, viaB.secret());
      allRefused(onA, viaB.secret());
    } finally {
      onA.close();
      if (onB != null) {
        onB.close();
      }
      if (b != null) {
        b.stopInstance();
      }
      otherVertx.close().await();
    }
  }

  /**
   * The cache is real: a change made behind the server's back (no NOTIFY) is not seen by an
   * instance that has the key cached, while one that never saw the key asks the database.
   */
  @Test
  void principalsAreCachedAndOnlyTheNotificationEvictsThem() {
    Vertx otherVertx = Vertx.vertx();
    TestServer b = null;
    WebClient onB = null;
    try {
      b = server.startAnotherInstance(otherVertx);
      onB = spreading(b);
      Key key = AuthTesting.createKey(server, alice, List.of("read"), null);
      warm(onB, key.secret());
      server.sql("UPDATE api_keys SET is_active = false WHERE id = $1", Ids.API_KEY.parse(key.id()).orElseThrow());
      // A, which never saw the key, asks the database: refused.
      assertNotAuthenticated(server.get("/api/libraries", key.secret()));
      // B answers from its cache, on every event loop.
      for (int i = 0; i < SPREAD; i++) {
        assertStatus(200, get(onB, "/api/libraries", key.secret()));
      }
      // Turning it off through the API (whose NOTIFY B hears) evicts it on B.
      assertStatus(200, server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
        new JsonObject().put("is_active", false)));
      awaitRefused(onB, key.secret());
      allRefused(onB, key.secret());
    } finally {
      if (onB != null) {
        onB.close();
      }
      if (b != null) {
        b.stopInstance();
      }
      otherVertx.close().await();
    }
  }

  /**
   * The race between filling the cache and evicting from it: a first request with a key, still
   * asking the database when the key is revoked, must not leave the revoked key cached. Each key
   * is used for the first time on B (uncached, so B asks PostgreSQL) at the same moment as it is
   * deleted through A, and also on A itself; afterwards every event loop of both must refuse it
   * within two seconds.
   */
  @Test
  void aFirstRequestInFlightDuringRevocationDoesNotCacheTheRevokedKey() {
    Vertx otherVertx = Vertx.vertx();
    TestServer b = null;
    WebClient onA = spreading(server);
    WebClient onB = null;
    try {
      b = server.startAnotherInstance(otherVertx);
      onB = spreading(b);
      List<Key> keys = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        keys.add(AuthTesting.createKey(server, alice, List.of("read"), null));
      }
      for (Key key : keys) {
        List<Future<?>> all = new ArrayList<>();
        for (int j = 0; j < SPREAD; j++) {
          all.add(onB.get("/api/libraries").bearerTokenAuthentication(key.secret()).send());
          all.add(onA.get("/api/libraries").bearerTokenAuthentication(key.secret()).send());
        }
        all.add(server.client.delete("/api/api-keys/" + key.id()).bearerTokenAuthentication(alice.key()).send()
          .onSuccess(res -> assertStatus(200, res)));
        Future.join(all).await();
      }
      // A key left cached would be admitted for good: each gets two seconds to be refused everywhere.
      for (Key key : keys) {
        for (WebClient client : List.of(onA, onB)) {
          String where = client == onA ? "A" : "B";
          await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
            .untilAsserted(() -> assertEquals(0, admitted(client, key.secret()),
              () -> key.id() + " still admitted on " + where + " (of " + SPREAD + " requests) after its deletion"));
        }
      }
    } finally {
      onA.close();
      if (onB != null) {
        onB.close();
      }
      if (b != null) {
        b.stopInstance();
      }
      otherVertx.close().await();
    }
  }

  /** How many of SPREAD requests with {@code key} the server {@code client} talks to admits. */
  private static int admitted(WebClient client, String key) {
    int admitted = 0;
    for (int i = 0; i < SPREAD; i++) {
      if (get(client, "/api/libraries", key).statusCode() != 401) {
        admitted++;
      }
    }
    return admitted;
  }

  /** Polls until {@code key} is refused, for at most 2 s; answers how long it took. */
  private static long awaitRefused(WebClient client, String key) {
    long start = System.nanoTime();
    HttpResponse<Buffer> refused = await("the key refused on the other instance after it was revoked")
      .atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
      .until(() -> get(client, "/api/libraries", key), res -> {
        if (res.statusCode() != 401) {
          assertStatus(200, res);
        }
        return res.statusCode() == 401;
      });
    assertNotAuthenticated(refused);
    return Duration.ofNanos(System.nanoTime() - start).toMillis();
  }
}

package org.eucalypt.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.eucalypt.auth.AuthTesting.ALL_ACTIONS;
import static org.eucalypt.auth.AuthTesting.assertNotAuthenticated;
import static org.eucalypt.auth.AuthTesting.assertNotFound;
import static org.eucalypt.auth.AuthTesting.assertStatus;
import static org.eucalypt.auth.AuthTesting.assertValidation;
import static org.eucalypt.auth.AuthTesting.createKey;
import static org.eucalypt.auth.AuthTesting.keyBody;
import static org.eucalypt.auth.AuthTesting.listedKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /api/users/me and managing API keys: create, list, update, delete, validation, last_used_at. */
@ExtendWith(ServerExtension.class)
class ApiKeyTest {
  private static final Set<String> KEY_FIELDS = Set.of("id", "name", "is_active", "actions", "library_scope_mode",
    "selected_library_count", "last_used_at", "created_at");

  private static TestServer server;
  private User alice;
  private User bob;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
  }

  @BeforeEach
  void users() {
    alice = server.newUser();
    bob = server.newUser();
  }

  // ================================================================ users/me

  @Test
  void meAnswersEveryFieldAndStorageUsedIsTheSumOverTheUsersLibraries() {
    HttpResponse<Buffer> res = server.get("/api/users/me", alice.key());
    assertStatus(200, res);
    assertEquals("application/json", res.getHeader("content-type"));
    JsonObject me = res.bodyAsJsonObject();
    assertEquals(Set.of("id", "email", "first_name", "last_name", "is_active", "is_superuser", "is_verified",
      "storage_limit_bytes", "storage_used_bytes", "timezone", "created_at", "updated_at"), me.fieldNames());
    assertEquals(alice.id(), me.getString("id"));
    assertTrue(me.getString("id").startsWith("intuser_"));
    assertTrue(me.getString("email").endsWith("@example.org"), me.encode());
    assertEquals(true, me.getBoolean("is_active"));
    assertEquals(false, me.getBoolean("is_superuser"));
    assertNotNull(me.getBoolean("is_verified"));
    assertEquals(0L, me.getLong("storage_used_bytes"));
    assertTrue(me.getString("created_at").endsWith("Z"), me.encode());
    OffsetDateTime.parse(me.getString("created_at"));
    OffsetDateTime.parse(me.getString("updated_at"));
    // The trailing-slash form answers too.
    assertEquals(me, server.get("/api/users/me/", alice.key()).bodyAsJsonObject());

    String one = server.createLibrary(alice, "One");
    String two = server.createLibrary(alice, "Two");
    server.upload(alice, one, "a.jpg", TestServer.randomBytes(2048));
    assertEquals(2048L, storageUsed(alice));
    HttpResponse<Buffer> up = server.upload(alice, two, "b.jpg", TestServer.randomBytes(3000));
    assertStatus(201, up);
    assertEquals(5048L, storageUsed(alice));
    // Bob's uploads are his own.
    server.uploadRandom(bob, server.createLibrary(bob, "Bob's"));
    assertEquals(5048L, storageUsed(alice));
    assertEquals(2048L, storageUsed(bob));
    // A trashed library's bytes are still stored, so still counted, as in LibraryResponse.
    assertStatus(200, server.post("/api/libraries/" + two + "/trash", alice.key(), null));
    assertEquals(5048L, storageUsed(alice));
    // A permanent delete frees them (the library must be live for its assets to be reachable).
    assertStatus(200, server.post("/api/libraries/" + two + "/restore", alice.key(), null));
    assertStatus(200, server.call(HttpMethod.DELETE, "/api/assets/" + up.bodyAsJsonObject().getString("id"),
      alice.key(), null));
    assertEquals(2048L, storageUsed(alice));
    assertEquals(2048L, server.count("SELECT sum(storage_used_bytes) FROM libraries WHERE user_id = $1",
      Ids.USER.parse(alice.id()).orElseThrow()));
    server.assertInvariants();
  }

  private long storageUsed(User user) {
    HttpResponse<Buffer> res = server.get("/api/users/me", user.key());
    assertStatus(200, res);
    return res.bodyAsJsonObject().getLong("storage_used_bytes");
  }

  @Test
  void meWithoutAKeyIs401() {
    assertNotAuthenticated(server.get("/api/users/me", null));
  }

  // ================================================================ create / list

  @Test
  void createAnswers201WithTheSecretOnceAndTheDatabaseKeepsOnlyItsHash() {
    for (String path : List.of("/api/api-keys/", "/api/api-keys")) {
      HttpResponse<Buffer> res = server.post(path, alice.key(),
        keyBody("Phone " + path, List.of("read", "write"), "all_libraries", null));
      assertStatus(201, res);
      assertEquals("application/json", res.getHeader("content-type"));
      JsonObject created = res.bodyAsJsonObject();
      Set<String> expected = new java.util.HashSet<>(KEY_FIELDS);
      expected.add("key");
      expected.add("api_key");
      assertEquals(expected, created.fieldNames());
      String id = created.getString("id");
      assertTrue(id.matches("apikey_[2-9A-HJ-NP-Za-km-z]{22}"), id);
      assertEquals("Phone " + path, created.getString("name"));
      assertEquals(true, created.getBoolean("is_active"));
      assertEquals(new JsonArray().add("read").add("write"), created.getJsonArray("actions"));
      assertEquals("all_libraries", created.getString("library_scope_mode"));
      assertNull(created.getValue("selected_library_count"));
      assertNull(created.getValue("last_used_at"));
      assertTrue(created.getString("created_at").endsWith("Z"));
      String secret = created.getString("key");
      assertNotNull(secret);
      assertTrue(secret.length() >= 32, secret);
      assertEquals(secret, created.getString("api_key"));

      // The secret works.
      assertStatus(200, server.get("/api/libraries", secret));

      // The database keeps its SHA-256 and nothing else of it, anywhere.
      UUID uuid = Ids.API_KEY.parse(id).orElseThrow();
      Row row = server.sql("SELECT secret_sha256 FROM api_keys WHERE id = $1", uuid).iterator().next();
      assertArrayEquals(sha256(secret), row.getBuffer(0).getBytes());
      for (Row t : server.sql("SELECT table_name FROM information_schema.tables "
        + "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
        String table = t.getString(0);
        assertEquals(0L, server.count("SELECT count(*) FROM \"" + table + "\" t WHERE position($1 in t::text) > 0",
          secret), "table " + table + " holds the secret");
      }

      // Listing never shows it.
      for (String listPath : List.of("/api/api-keys/", "/api/api-keys")) {
        HttpResponse<Buffer> list = server.get(listPath, alice.key());
        assertStatus(200, list);
        assertFalse(list.bodyAsString().contains(secret));
        JsonArray keys = list.bodyAsJsonArray();
        JsonObject listed = keys.stream().map(JsonObject.class::cast)
          .filter(k -> id.equals(k.getString("id"))).findFirst().orElseThrow();
        assertEquals(KEY_FIELDS, listed.fieldNames());
        JsonObject withoutSecret = created.copy();
        withoutSecret.remove("key");
        withoutSecret.remove("api_key");
        assertEquals(withoutSecret, listed);
      }
    }
  }

  @Test
  void listIsABareArrayOfTheCallersKeysOnly() {
    Key k1 = createKey(server, alice, List.of("read"), null);
    createKey(server, bob, List.of("read"), null);
    HttpResponse<Buffer> res = server.get("/api/api-keys/", alice.key());
    assertStatus(200, res);
    assertTrue(res.bodyAsString().trim().startsWith("["), res.bodyAsString());
    JsonArray keys = res.bodyAsJsonArray();
    // The default key the user was made with, and the new one.
    assertEquals(2, keys.size(), keys.encode());
    List<String> ids = keys.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertTrue(ids.contains(k1.id()));
    assertEquals(new JsonArray().addAll(new JsonArray(ALL_ACTIONS)), keys.getJsonObject(0).getJsonArray("actions"));
    assertEquals(server.get("/api/api-keys/", alice.key()).bodyAsJsonArray(),
      server.get("/api/api-keys", alice.key()).bodyAsJsonArray());
  }

  @Test
  void aScopedKeyReportsItsLibraryCount() {
    String a = server.createLibrary(alice, "A");
    String b = server.createLibrary(alice, "B");
    HttpResponse<Buffer> res = server.post("/api/api-keys/", alice.key(),
      keyBody("scoped", List.of("read"), "selected_libraries", List.of(a, b, a)));
    assertStatus(201, res);
    JsonObject created = res.bodyAsJsonObject();
    assertEquals("selected_libraries", created.getString("library_scope_mode"));
    assertEquals(2L, created.getLong("selected_library_count"));
    assertEquals(2L, listedKey(server, alice, created.getString("id")).getLong("selected_library_count"));
  }

  // ================================================================ validation

  @Test
  void createValidatesActionsScopeAndLibraryIdsAndMakesNoKeyWhenRefused() {
    String lib = server.createLibrary(alice, "Mine");
    long before = keyCount();

    // read goes with every broader action.
    for (String broader : List.of("write", "delete", "delete_permanently")) {
      assertValidation(post(keyBody("k", List.of(broader), null, null)), List.of("body", "actions"), "value_error");
    }
    assertValidation(post(keyBody("k", List.of("write", "delete", "delete_permanently"), null, null)),
      List.of("body", "actions"), "value_error");
    // Unknown action.
    assertValidation(post(keyBody("k", List.of("read", "admin"), null, null)), List.of("body", "actions"), "enum");
    // Required fields and their shapes.
    assertValidation(post(new JsonObject().put("actions", new JsonArray().add("read"))), List.of("body", "name"),
      "missing");
    assertValidation(post(new JsonObject().put("name", "k")), List.of("body", "actions"), "missing");
    assertValidation(post(keyBody("", List.of("read"), null, null)), List.of("body", "name"), "string_too_short");
    assertValidation(post(keyBody("k", List.of(), null, null)), List.of("body", "actions"), "too_short");
    assertValidation(post(keyBody("k", List.of("read"), "some_libraries", List.of(lib))),
      List.of("body", "library_scope_mode"), "enum");
    // library_ids: required with selected_libraries, refused with all_libraries, 1..200.
    assertValidation(post(keyBody("k", List.of("read"), "selected_libraries", null)), List.of("body", "library_ids"),
      "missing");
    JsonObject refused = assertValidation(post(keyBody("k", List.of("read"), "all_libraries", List.of(lib))),
      List.of("body", "library_ids"), "value_error");
    assertNotNull(refused.getString("msg"));
    // The default scope is all_libraries, so library_ids alone is refused too.
    assertValidation(post(keyBody("k", List.of("read"), null, List.of(lib))), List.of("body", "library_ids"),
      "value_error");
    assertValidation(post(keyBody("k", List.of("read"), "selected_libraries", List.of())),
      List.of("body", "library_ids"), "too_short");
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 201; i++) {
      tooMany.add(lib);
    }
    assertValidation(post(keyBody("k", List.of("read"), "selected_libraries", tooMany)),
      List.of("body", "library_ids"), "too_long");
    // Not JSON.
    HttpResponse<Buffer> broken = server.client.post("/api/api-keys/").bearerTokenAuthentication(alice.key())
      .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer("{\"name\": ")).await();
    assertValidation(broken, List.of("body"), "json_invalid");

    assertEquals(before, keyCount());
  }

  @Test
  void libraryIdsOfAnotherUserUnknownTrashedOrMalformedAre404AndMakeNoKey() {
    String mine = server.createLibrary(alice, "Mine");
    String trashed = server.createLibrary(alice, "Trashed");
    assertStatus(200, server.post("/api/libraries/" + trashed + "/trash", alice.key(), null));
    String bobs = server.createLibrary(bob, "Bob's");
    String unknown = Ids.LIBRARY.format(UUID.randomUUID());
    long keys = keyCount();
    long scopes = server.count("SELECT count(*) FROM api_key_libraries");

    for (List<String> ids : List.of(List.of(bobs), List.of(unknown), List.of(trashed), List.of("lib_nope"),
      List.of(mine, bobs), List.of(mine, unknown), List.of(mine, trashed),
      List.of(Ids.ASSET.format(Ids.LIBRARY.parse(mine).orElseThrow())))) {
      HttpResponse<Buffer> res = post(keyBody("k", List.of("read"), "selected_libraries", ids));
      assertNotFound(res);
    }
    assertEquals(keys, keyCount());
    assertEquals(scopes, server.count("SELECT count(*) FROM api_key_libraries"));

    // Exactly 200 of one's own live libraries is fine.
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(server.createLibrary(alice, "L" + i));
    }
    HttpResponse<Buffer> ok = post(keyBody("k", List.of("read"), "selected_libraries", many));
    assertStatus(201, ok);
    assertEquals(200L, ok.bodyAsJsonObject().getLong("selected_library_count"));
  }

  private HttpResponse<Buffer> post(JsonObject body) {
    return server.post("/api/api-keys/", alice.key(), body);
  }

  private long keyCount() {
    return server.count("SELECT count(*) FROM api_keys");
  }

  // ================================================================ update / delete

  @Test
  void patchRenamesAndTurnsOffAndOnChangingOnlyTheFieldsPresent() {
    Key key = createKey(server, alice, List.of("read"), null);
    HttpResponse<Buffer> res = server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
      new JsonObject().put("name", "Renamed"));
    assertStatus(200, res);
    JsonObject k = res.bodyAsJsonObject();
    assertEquals(KEY_FIELDS, k.fieldNames());
    assertEquals("Renamed", k.getString("name"));
    assertEquals(true, k.getBoolean("is_active"));
    assertEquals(new JsonArray().add("read"), k.getJsonArray("actions"));

    res = server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
      new JsonObject().put("is_active", false));
    assertStatus(200, res);
    assertEquals("Renamed", res.bodyAsJsonObject().getString("name"));
    assertEquals(false, res.bodyAsJsonObject().getBoolean("is_active"));
    assertEquals(false, listedKey(server, alice, key.id()).getBoolean("is_active"));

    res = server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(), new JsonObject());
    assertStatus(200, res);
    assertEquals("Renamed", res.bodyAsJsonObject().getString("name"));
    assertEquals(false, res.bodyAsJsonObject().getBoolean("is_active"));

    res = server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
      new JsonObject().put("is_active", true).put("name", "Back"));
    assertEquals(true, res.bodyAsJsonObject().getBoolean("is_active"));
    assertEquals("Back", res.bodyAsJsonObject().getString("name"));
    assertNull(res.bodyAsJsonObject().getValue("key"));

    assertValidation(server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
      new JsonObject().put("name", "")), List.of("body", "name"), "string_too_short");
    assertValidation(server.call(HttpMethod.PATCH, "/api/api-keys/" + key.id(), alice.key(),
      new JsonObject().put("is_active", "nope")), List.of("body", "is_active"), "bool_type");
    assertEquals("Back", listedKey(server, alice, key.id()).getString("name"));

    assertNotFound(server.call(HttpMethod.PATCH, "/api/api-keys/" + Ids.API_KEY.format(UUID.randomUUID()),
      alice.key(), new JsonObject().put("name", "x")));
    assertNotFound(server.call(HttpMethod.PATCH, "/api/api-keys/apikey_nope", alice.key(),
      new JsonObject().put("name", "x")));
  }

  @Test
  void deleteAnswers200EmptyAndTheKeyIsGone() {
    Key key = createKey(server, alice, List.of("read"), null);
    HttpResponse<Buffer> res = server.call(HttpMethod.DELETE, "/api/api-keys/" + key.id(), alice.key(), null);
    assertStatus(200, res);
    assertEquals(new JsonObject(), res.bodyAsJsonObject());
    assertNull(listedKey(server, alice, key.id()));
    assertEquals(0L, server.count("SELECT count(*) FROM api_keys WHERE id = $1",
      Ids.API_KEY.parse(key.id()).orElseThrow()));
    assertNotAuthenticated(server.get("/api/libraries", key.secret()));
    assertNotFound(server.call(HttpMethod.DELETE, "/api/api-keys/" + key.id(), alice.key(), null));
    assertNotFound(server.call(HttpMethod.DELETE, "/api/api-keys/apikey_nope", alice.key(), null));
  }

  @Test
  void aKeyMayDeleteItselfAndIsRefusedFromItsNextRequest() {
    Key key = createKey(server, alice, ALL_ACTIONS, null);
    assertStatus(200, server.call(HttpMethod.DELETE, "/api/api-keys/" + key.id(), key.secret(), null));
    assertNotAuthenticated(server.get("/api/api-keys/", key.secret()));
  }

  // ================================================================ last_used_at

  @Test
  void lastUsedAtIsNullUntilTheKeyIsUsedThenSetWithinTheFlushInterval() {
    Key key = createKey(server, alice, List.of("read"), null);
    Key idle = createKey(server, alice, List.of("read"), null);
    assertNull(listedKey(server, alice, key.id()).getValue("last_used_at"));
    OffsetDateTime before = OffsetDateTime.now().minusSeconds(5);

    // A trigger counts every UPDATE of the key's row (test database only).
    server.sql("CREATE TABLE IF NOT EXISTS test_key_updates (key_id uuid, at timestamptz DEFAULT clock_timestamp())");
    server.sql("""
      CREATE OR REPLACE FUNCTION test_count_key_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_key_updates (key_id) VALUES (NEW.id); RETURN NEW; END $$""");
    server.sql("DROP TRIGGER IF EXISTS test_key_updates ON api_keys");
    server.sql("CREATE TRIGGER test_key_updates AFTER UPDATE ON api_keys FOR EACH ROW "
      + "EXECUTE FUNCTION test_count_key_update()");
    UUID keyUuid = Ids.API_KEY.parse(key.id()).orElseThrow();

    int requests = 30;
    for (int i = 0; i < requests; i++) {
      assertStatus(200, server.get("/api/libraries", key.secret()));
    }
    String lastUsed = await("last_used_at set after the key was used").atMost(Duration.ofSeconds(30))
      .pollInterval(Duration.ofMillis(250))
      .until(() -> listedKey(server, alice, key.id()).getString("last_used_at"), Objects::nonNull);
    OffsetDateTime at = OffsetDateTime.parse(lastUsed);
    assertTrue(at.isAfter(before) && at.isBefore(OffsetDateTime.now().plusSeconds(5)), lastUsed);
    assertTrue(lastUsed.endsWith("Z"), lastUsed);
    // A key nobody used stays null.
    assertNull(listedKey(server, alice, idle.id()).getValue("last_used_at"));
    // Not one write per request: the requests above were reported in a batch or two.
    long updates = server.count("SELECT count(*) FROM test_key_updates WHERE key_id = $1", keyUuid);
    assertTrue(updates >= 1 && updates <= 3, "api_keys row updated " + updates + " times for " + requests
      + " requests");
    server.sql("DROP TRIGGER test_key_updates ON api_keys");
  }

  static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}

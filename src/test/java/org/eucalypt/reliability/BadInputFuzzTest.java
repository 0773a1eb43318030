package org.eucalypt.reliability;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.reliability.support.RawHttp;
import org.eucalypt.reliability.support.RawHttp.Answer;
import org.eucalypt.reliability.support.Snapshot;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.eucalypt.support.TestServer.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input on every operation of the contract, sent as raw bytes: malformed JSON, wrong
 * types, over-long strings, arrays over their limit, invalid UTF-8, path traversal, huge bodies
 * and headers, broken multipart. Every answer must be a 4xx in FastAPI's shape
 * ({@code {"detail": ...}}), never a 5xx; nothing may change in the database or the storage
 * directory; the server must keep answering.
 *
 * <p>Each generated request is built to be wrong in at least one way that the contract refuses,
 * so "nothing changes" is a fair demand of all of them. {@code -Dreliability.fuzz.requests=N}
 * (50,000 under {@code -Preliability}) sets how many; {@code -Dreliability.seed=N} replays a run.
 */
@ExtendWith(ServerExtension.class)
class BadInputFuzzTest {
  private static final int REQUESTS = Integer.getInteger("reliability.fuzz.requests", 10_000);

  private static TestServer server;
  private static User alice;
  private static RawHttp http;
  private static String live;
  private static String other;
  private static String trashed;
  private static String asset;
  private static String keyId;

  @BeforeAll
  static void start(TestServer started) {
    server = started;
    alice = server.newUser();
    http = new RawHttp("localhost", server.app.port());
    live = server.createLibrary(alice, "live");
    other = server.createLibrary(alice, "other");
    trashed = server.createLibrary(alice, "trashed");
    asset = server.uploadRandom(alice, live).getString("id");
    assertEquals(200, server.post("/api/libraries/" + trashed + "/trash", alice.key(), null).statusCode());
    keyId = server.post("/api/api-keys/", alice.key(), new JsonObject().put("name", "second")
      .put("actions", new JsonArray().add("read"))).bodyAsJsonObject().getString("id");
  }

  /** One request to send: what it is, for the failure message, and its bytes. */
  record Req(String what, String method, String target, Map<String, String> headers, byte[] body) {
  }

  private static Map<String, String> auth(String contentType) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer " + alice.key());
    if (contentType != null) {
      h.put("Content-Type", contentType);
    }
    return h;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String repeat(Random r, int min, int max) {
    return "x".repeat(min + r.nextInt(max - min + 1));
  }

  // ---- the operations that take a JSON body, each with bodies the contract refuses ----

  /** A JSON value that is not a string. */
  private static Object notAString(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> r.nextInt();
      case 1 -> r.nextBoolean();
      case 2 -> new JsonArray().add("a");
      case 3 -> new JsonObject().put("a", 1);
      case 4 -> r.nextDouble();
      default -> null;
    };
  }

  private static JsonArray ids(int n) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < n; i++) {
      a.add(asset);
    }
    return a;
  }

  /** Bodies the schema refuses, per operation: (method, path) and a generator. */
  private static final List<Object[]> JSON_OPERATIONS = List.of(
    new Object[] {"POST", "/api/libraries", (Function<Random, Object>) r -> switch (r.nextInt(5)) {
      case 0 -> new JsonObject().put("name", notAString(r));
      case 1 -> new JsonObject().put("name", repeat(r, 256, 5000));
      case 2 -> new JsonObject().put("name", "").put("description", "d");
      case 3 -> new JsonObject().put("description", "no name");
      default -> new JsonObject().put("name", "n").put("description", repeat(r, 10_001, 12_000));
    }},
    new Object[] {"PATCH", "/api/libraries/{live}", (Function<Random, Object>) r -> switch (r.nextInt(4)) {
      case 0 -> new JsonObject().put("name", r.nextBoolean() ? r.nextInt() : new JsonArray());
      case 1 -> new JsonObject().put("name", repeat(r, 256, 3000));
      case 2 -> new JsonObject().put("storage_limit_bytes", -1 - r.nextInt(1000));
      default -> new JsonObject().put("description", repeat(r, 10_001, 11_000));
    }},
    new Object[] {"POST", "/api/assets/trash?library_id={live}", (Function<Random, Object>) BadInputFuzzTest::badIds},
    new Object[] {"POST", "/api/assets/restore?library_id={live}", (Function<Random, Object>) BadInputFuzzTest::badIds},
    new Object[] {"DELETE", "/api/assets?library_id={live}", (Function<Random, Object>) BadInputFuzzTest::badIds},
    new Object[] {"POST", "/api/api-keys/", (Function<Random, Object>) r -> switch (r.nextInt(5)) {
      case 0 -> new JsonObject().put("name", "k").put("actions", "read");
      case 1 -> new JsonObject().put("name", "k").put("actions", new JsonArray().add("read").add("write").add("delete")
        .add("delete_permanently").add("read"));
      case 2 -> new JsonObject().put("name", repeat(r, 256, 2000)).put("actions", new JsonArray().add("read"));
      case 3 -> new JsonObject().put("name", "k").put("actions", new JsonArray().add("read"))
        .put("library_scope_mode", "selected_libraries").put("library_ids", ids(201 + r.nextInt(100)));
      default -> new JsonObject().put("name", "k").put("actions", new JsonArray().add("root"));
    }},
    new Object[] {"PATCH", "/api/api-keys/{key}", (Function<Random, Object>) r -> switch (r.nextInt(3)) {
      case 0 -> new JsonObject().put("is_active", "no");
      case 1 -> new JsonObject().put("name", repeat(r, 256, 1000));
      default -> new JsonObject().put("name", notAString(r) == null ? 7 : 8);
    }});

  private static Object badIds(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> new JsonObject().put("ids", ids(201 + r.nextInt(300)));
      case 1 -> new JsonObject().put("ids", new JsonArray());
      case 2 -> new JsonObject().put("ids", "asset_x");
      case 3 -> new JsonObject().put("ids", new JsonArray().add(1).add(2));
      default -> new JsonObject().put("idz", ids(1));
    };
  }

  private static String fill(String path) {
    return path.replace("{live}", live).replace("{key}", keyId);
  }

  /** Ways to break a JSON document at the byte level; each leaves it unparseable or undecodable. */
  private static byte[] breakBytes(Random r, byte[] json) {
    return switch (r.nextInt(9)) {
      // Cut short.
      case 0 -> java.util.Arrays.copyOf(json, Math.max(1, r.nextInt(Math.max(1, json.length - 1))));
      // Invalid UTF-8 inside a string: a lone continuation byte, an overlong "/", a bare lead byte.
      case 1 -> RawHttp.concat(utf8("{\"name\": \"a"), new byte[] {(byte) 0x80}, utf8("\"}"));
      case 2 -> RawHttp.concat(utf8("{\"name\": \""), new byte[] {(byte) 0xC0, (byte) 0xAF}, utf8("\"}"));
      case 3 -> RawHttp.concat(utf8("{\"ids\": [\""), new byte[] {(byte) 0xFF, (byte) 0xFE}, utf8("\"]}"));
      // A UTF-16 surrogate encoded as UTF-8 (CESU), which UTF-8 forbids.
      case 4 -> RawHttp.concat(utf8("{\"name\": \""), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, utf8("\"}"));
      // A lone surrogate as a JSON escape: valid JSON syntax, not a valid string.
      case 5 -> utf8("{\"name\": \"\\ud800\", \"ids\": [\"\\udfff\"], \"actions\": [\"\\ud83d\"]}");
      case 6 -> utf8(new String[] {"", "{", "[", "nul", "{\"name\":}", "{\"name\" \"x\"}", "{'name': 'x'}",
        "{\"name\": \"x\",}", "\u0000", "{\"name\": NaN}"}[r.nextInt(10)]);
      // A truncated multi-byte character at the very end.
      case 7 -> RawHttp.concat(utf8("{\"name\": \"\u00e9"), new byte[] {(byte) 0xE2, (byte) 0x82});
      default -> RawHttp.concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 0xFE}, json);
    };
  }

  private static Req jsonRequest(Random r) {
    Object[] op = JSON_OPERATIONS.get(r.nextInt(JSON_OPERATIONS.size()));
    String method = (String) op[0];
    String target = fill((String) op[1]);
    @SuppressWarnings("unchecked")
    Object body = ((Function<Random, Object>) op[2]).apply(r);
    byte[] bytes = utf8(String.valueOf(body instanceof JsonObject j ? j.encode() : body));
    String what = method + " " + target + " ";
    int kind = r.nextInt(10);
    if (kind < 5) {
      return new Req(what + "invalid body " + shorten(new String(bytes, StandardCharsets.UTF_8)), method, target,
        auth("application/json"), bytes);
    }
    if (kind < 9) {
      byte[] broken = breakBytes(r, bytes);
      return new Req(what + "broken bytes " + shorten(new String(broken, StandardCharsets.ISO_8859_1)), method,
        target, auth(r.nextInt(5) == 0 ? "application/json; charset=utf-8" : "application/json"), broken);
    }
    // Over the body limit (1 MiB by default), in a string the schema would refuse anyway.
    byte[] huge = utf8("{\"name\": \"" + "y".repeat((int) server.app.settings().maxBodyBytes() + 1 + r.nextInt(1000)) + "\"}");
    return new Req(what + "huge body", method, target, auth("application/json"), huge);
  }

  // ---- query parameters, path ids, headers ----

  private static final String[] BAD_IDS = {
    "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "lib_", "asset_", "apikey_",
    "lib_0000000000000000000000", "asset_" + "z".repeat(3000), "%00", "%ff%fe", "%c0%af", "null", "-1",
    "lib_%0d%0aX-Injected:%201", "asset_'%20OR%201=1--", "..", "%2e%2e", "lib_2JZwZxWFHHBLGqfLByDAq3%00.jpg",
    "%ed%a0%80", "intuser_x", "a%20b"};

  private static Req pathRequest(Random r) {
    String bad = BAD_IDS[r.nextInt(BAD_IDS.length)];
    String[][] templates = {
      {"GET", "/api/libraries/@"}, {"PATCH", "/api/libraries/@"}, {"DELETE", "/api/libraries/@"},
      {"POST", "/api/libraries/@/trash"}, {"POST", "/api/libraries/@/restore"}, {"GET", "/api/assets/@"},
      {"DELETE", "/api/assets/@"}, {"GET", "/api/assets/@/original"}, {"HEAD", "/api/assets/@/original"},
      {"PATCH", "/api/api-keys/@"}, {"DELETE", "/api/api-keys/@"},
      {"POST", "/api/assets/empty-trash?library_id=@"}, {"GET", "/api/assets?library_id=@"},
      {"GET", "/api/assets/counts?library_id=@"}, {"POST", "/api/assets/trash?library_id=@"},
      {"GET", "/api/events?library_id=@"}};
    String[] t = templates[r.nextInt(templates.length)];
    String target = t[1].replace("@", bad);
    boolean patch = t[0].equals("PATCH");
    byte[] body = patch ? utf8("{\"name\": \"renamed\"}") : t[1].contains("trash?") ? utf8("{\"ids\": [\"" + asset + "\"]}")
      : null;
    return new Req(t[0] + " " + target, t[0], target, auth(body == null ? null : "application/json"), body);
  }

  private static final String[][] BAD_QUERIES = {
    {"/api/libraries", "state=deleted"}, {"/api/libraries", "state="}, {"/api/libraries", "state=%ff"},
    {"/api/assets", "limit=0"}, {"/api/assets", "limit=201"}, {"/api/assets", "limit=abc"},
    {"/api/assets", "limit=99999999999999999999"}, {"/api/assets", "limit=-1"}, {"/api/assets", "order=sideways"},
    {"/api/assets", "state=gone"}, {"/api/assets", "media_type=audio"}, {"/api/assets", "include=secrets"},
    {"/api/assets", "local_datetime_after=yesterday"}, {"/api/assets", "local_datetime_before=2024-13-45T99:00:00Z"},
    {"/api/assets", "starting_after_id=../../etc/passwd"}, {"/api/assets", "limit=%zz"},
    {"/api/assets/counts", "group_by=week"}, {"/api/assets/counts", "limit=1001"}, {"/api/assets/counts", "state=x"},
    {"/api/assets/counts", "local_datetime_after=%ed%a0%80"}, {"/api/events", "after_cursor=abc"},
    {"/api/events", "after_cursor=9999999999999999999"}, {"/api/events", "limit=0"}, {"/api/events", "entity_types=users"},
    {"/api/events", "created_at_gte=notatime"}, {"/api/assets/" + "{asset}", "include=everything"},
    {"/api/assets", "ids=" + "asset_x,".repeat(201)}};

  private static Req queryRequest(Random r) {
    String[] q = BAD_QUERIES[r.nextInt(BAD_QUERIES.length)];
    String path = q[0].replace("{asset}", asset);
    String query = q[1];
    if (!path.startsWith("/api/libraries") && !path.startsWith("/api/events") && !path.contains("asset_")) {
      query = query + "&library_id=" + live;
    }
    String target = path + "?" + query;
    return new Req("GET " + target, "GET", target, auth(null), null);
  }

  private static Req headerRequest(Random r) {
    Map<String, String> h = auth(null);
    String target = "/api/libraries";
    return switch (r.nextInt(5)) {
      case 0 -> {
        h.put("X-Big", "h".repeat(17 * 1024 + r.nextInt(20_000)));
        yield new Req("huge header", "GET", target, h, null);
      }
      case 1 -> {
        for (int i = 0; i < 600; i++) {
          h.put("X-Many-" + i, "v".repeat(40));
        }
        yield new Req("many headers", "GET", target, h, null);
      }
      case 2 -> new Req("huge request line", "GET", "/api/libraries?x=" + "q".repeat(17 * 1024), h, null);
      case 3 -> {
        h.put("Authorization", "Bearer " + "k".repeat(5000));
        yield new Req("huge key", "GET", target, h, null);
      }
      default -> {
        // Valid JSON, a content type the contract does not take: refused before anything changes.
        h.put("Content-Type", r.nextBoolean() ? "text/plain" : "application/x-www-form-urlencoded");
        yield new Req("wrong content type", "POST", "/api/libraries", h, utf8("{\"name\": 5}"));
      }
    };
  }

  // ---- uploads ----

  private static final String BOUNDARY = "fuzzboundary7MA4YWxkTrZu0gW";

  private static byte[] part(String name, String fileName, String contentType, byte[] content) {
    StringBuilder b = new StringBuilder("--").append(BOUNDARY).append("\r\n")
      .append("Content-Disposition: form-data; name=\"").append(name).append('"');
    if (fileName != null) {
      b.append("; filename=\"").append(fileName).append('"');
    }
    b.append("\r\n");
    if (contentType != null) {
      b.append("Content-Type: ").append(contentType).append("\r\n");
    }
    b.append("\r\n");
    return RawHttp.concat(b.toString().getBytes(StandardCharsets.UTF_8), content, utf8("\r\n"));
  }

  /** A multipart upload broken in one of many ways; never a valid one, so nothing may be stored. */
  private static Req uploadRequest(Random r) {
    byte[] photo = new byte[64 + r.nextInt(4096)];
    r.nextBytes(photo);
    String[] names = {"../../etc/passwd.jpg", "..\\..\\windows\\win.ini.jpg", "/etc/shadow.jpg", "%2e%2e%2fx.jpg",
      "photo.jpg", "\u0000.jpg", "a\r\nContent-Type: text/html.jpg"};
    String fileName = names[r.nextInt(names.length)];
    List<byte[]> fields = new ArrayList<>(List.of(
      part("device_asset_id", null, null, utf8("d-" + r.nextInt())),
      part("device_id", null, null, utf8("fuzz")),
      part("file_created_at", null, null, utf8("2024-05-01T10:00:00Z")),
      part("file_modified_at", null, null, utf8("2024-05-01T10:00:00Z"))));
    byte[] file = part("asset_data", fileName, "image/jpeg", photo);
    String contentType = "multipart/form-data; boundary=" + BOUNDARY;
    String target = "/api/assets?library_id=" + live;
    String what;
    int kind = r.nextInt(12);
    switch (kind) {
      case 0 -> {
        fields.remove(r.nextInt(fields.size()));
        what = "a required field missing";
      }
      case 1 -> {
        fields.set(2, part("file_created_at", null, null, utf8(new String[] {"yesterday", "", "2024-02-30T00:00:00Z",
          "9999999999"}[r.nextInt(4)])));
        what = "a bad date";
      }
      case 2 -> {
        file = part("asset_data", fileName.replace(".jpg", ".exe"), "application/x-msdownload", photo);
        what = "not a photo";
      }
      case 3 -> {
        // Over-long form fields: past the decoder's attribute limit.
        fields.set(1, part("device_id", null, null, utf8(repeat(r, 9000, 200_000))));
        what = "an over-long form field";
      }
      case 4 -> {
        contentType = "multipart/form-data; boundary=";
        what = "an empty boundary";
      }
      case 5 -> {
        contentType = "multipart/form-data";
        what = "no boundary";
      }
      case 6 -> {
        contentType = "multipart/form-data; boundary=" + BOUNDARY.substring(3);
        what = "the wrong boundary";
      }
      case 7 -> {
        target = "/api/assets?library_id=" + trashed;
        what = "into a trashed library";
      }
      case 8 -> {
        target = "/api/assets?library_id=" + BAD_IDS[r.nextInt(BAD_IDS.length)];
        what = "a bad library id";
      }
      case 9 -> {
        fields.set(0, part("device_asset_id", null, null, new byte[] {(byte) 0xFF, (byte) 0xC0, 'x'}));
        fields.set(3, part("file_modified_at", null, null, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        what = "invalid UTF-8 in fields";
      }
      case 10 -> {
        file = part("asset_data", fileName, "image/jpeg", new byte[0]);
        what = "an empty file";
      }
      default -> {
        // Without a target library while several are live: 400.
        target = "/api/assets";
        what = "no library named, several live";
      }
    }
    Collections.shuffle(fields, r);
    fields.add(r.nextInt(fields.size() + 1), file);
    byte[] body = RawHttp.concat(RawHttp.concat(fields.toArray(byte[][]::new)), utf8("--" + BOUNDARY + "--\r\n"));
    if (kind == 11 && r.nextBoolean()) {
      // Cut short as well: no closing boundary.
      body = java.util.Arrays.copyOf(body, body.length - 10);
    }
    return new Req("upload with " + what + " (" + fileName.replace("\r\n", "\\r\\n") + ")", "POST", target,
      auth(contentType), body);
  }

  private static Req noAuth(Random r) {
    Map<String, String> h = new LinkedHashMap<>();
    String[] values = {"Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "Bearer \u00ff\u00fe", "bearer eu_x", ""};
    String v = values[r.nextInt(values.length)];
    if (!v.isEmpty()) {
      h.put("Authorization", v);
    }
    String[] targets = {"/api/libraries", "/api/assets", "/api/users/me", "/api/api-keys/", "/api/events"};
    return new Req("bad auth " + v, "GET", targets[r.nextInt(targets.length)], h, null);
  }

  static Req generate(Random r) {
    int k = r.nextInt(100);
    if (k < 35) {
      return jsonRequest(r);
    }
    if (k < 55) {
      return uploadRequest(r);
    }
    if (k < 72) {
      return pathRequest(r);
    }
    if (k < 88) {
      return queryRequest(r);
    }
    if (k < 95) {
      return headerRequest(r);
    }
    return noAuth(r);
  }

  private static String shorten(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + ")" : s;
  }

  /** A 4xx in FastAPI's shape; HEAD answers carry no body. */
  static void assertClientError(Req req, Answer a) {
    assertTrue(a.status() >= 400 && a.status() < 500, () -> req.what() + " answered " + a);
    if (!req.method().equals("HEAD")) {
      JsonObject json = a.json();
      assertNotNull(json, () -> req.what() + ": not a JSON object: " + a);
      assertTrue(json.containsKey("detail"), () -> req.what() + ": no detail: " + a);
    }
  }

  @Test
  void generatedHostileRequestsAreRefusedAndChangeNothing() throws Exception {
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("BadInputFuzzTest seed=" + seed + " requests=" + REQUESTS + " (replay: -Dreliability.seed=" + seed + ")");
    Snapshot before = Snapshot.of(server);
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    int threads = 2;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> jobs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random r = new Random(seed + t);
      int share = REQUESTS / threads + (t < REQUESTS % threads ? 1 : 0);
      jobs.add(pool.submit(() -> {
        for (int i = 0; i < share && failures.size() < 20; i++) {
          Req req = generate(r);
          Answer a;
          try {
            a = http.send(req.method(), req.target(), req.headers(), req.body());
          } catch (RuntimeException e) {
            failures.add(req.what() + ": " + e);
            continue;
          }
          statuses.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
          try {
            assertClientError(req, a);
          } catch (AssertionError e) {
            failures.add(e.getMessage());
          }
        }
      }));
    }
    for (Future<?> j : jobs) {
      j.get(20, TimeUnit.MINUTES);
    }
    pool.shutdown();
    System.out.println("BadInputFuzzTest statuses: " + new java.util.TreeMap<>(statuses));
    assertTrue(failures.isEmpty(), () -> failures.size() + " bad answers (seed " + seed + "), first: "
      + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    assertEquals(REQUESTS, statuses.values().stream().mapToInt(AtomicInteger::get).sum());
    assertEquals(before, Snapshot.of(server), "hostile requests changed something (seed " + seed + ")");
    assertEquals(200, http.send("GET", "/api/server/ping", Map.of(), null).status());
    server.assertInvariants();
  }

  /** Each known-bad case once, by name, so a failure points at the case rather than at a seed. */
  @Test
  void namedCases() {
    Snapshot before = Snapshot.of(server);
    String multipart = "multipart/form-data; boundary=";
    List<Req> cases = List.of(
      new Req("empty boundary", "POST", "/api/assets?library_id=" + live, auth(multipart),
        utf8("--\r\nContent-Disposition: form-data; name=\"device_id\"\r\n\r\nx\r\n----\r\n")),
      new Req("over-long form field", "POST", "/api/assets?library_id=" + live, auth(multipart + BOUNDARY),
        RawHttp.concat(part("device_id", null, null, utf8("v".repeat(100_000))), utf8("--" + BOUNDARY + "--\r\n"))),
      // Refused in the chunk that also begins the file part: that part used to start a staging
      // that never ended (its file stayed) because the parser went on through the chunk.
      new Req("over-long form field just before the file part", "POST", "/api/assets?library_id=" + live,
        auth(multipart + BOUNDARY), RawHttp.concat(part("device_id", null, null, utf8("v".repeat(8200))),
          part("asset_data", "a.jpg", "image/jpeg", new byte[3000]), utf8("--" + BOUNDARY + "--\r\n"))),
      new Req("body ends inside the file part", "POST", "/api/assets?library_id=" + live, auth(multipart + BOUNDARY),
        RawHttp.concat(part("device_id", null, null, utf8("d")), utf8("--" + BOUNDARY
          + "\r\nContent-Disposition: form-data; name=\"asset_data\"; filename=\"a.jpg\"\r\n\r\nabcdef"))),
      new Req("lone surrogate escape", "POST", "/api/libraries", auth("application/json"),
        utf8("{\"name\": \"\\ud800\"}")),
      new Req("invalid UTF-8 byte", "POST", "/api/libraries", auth("application/json"),
        RawHttp.concat(utf8("{\"name\": \"a"), new byte[] {(byte) 0xFF}, utf8("\"}"))),
      new Req("traversal in a path id", "GET", "/api/libraries/..%2F..%2Fetc%2Fpasswd", auth(null), null),
      new Req("huge header", "GET", "/api/libraries", withHeader("X-Big", "h".repeat(40_000)), null),
      new Req("huge request line", "GET", "/api/libraries?x=" + "q".repeat(40_000), auth(null), null));
    for (Req req : cases) {
      assertClientError(req, http.send(req.method(), req.target(), req.headers(), req.body()));
    }
    assertEquals(before, Snapshot.of(server));
  }

  private static Map<String, String> withHeader(String name, String value) {
    Map<String, String> h = auth(null);
    h.put(name, value);
    return h;
  }

  /**
   * A valid upload whose file name tries to climb out of storage: it is stored under the blob
   * store like any other, named by its last path segment, and nothing appears outside.
   */
  @Test
  void traversalFileNameStaysInsideStorage() throws Exception {
    String lib = server.createLibrary(alice, "traversal");
    Path outside = server.storage.getParent().resolve("passwd.jpg");
    Files.deleteIfExists(outside);
    var res = server.upload(alice, lib, "../../passwd.jpg", TestServer.randomBytes(512));
    assertEquals(201, res.statusCode(), res.bodyAsString());
    assertEquals("passwd.jpg", res.bodyAsJsonObject().getString("original_file_name"));
    assertTrue(Files.notExists(outside));
    Path blobs = server.localBlobs().blobsRoot().toAbsolutePath().normalize();
    for (Path p : server.filesUnderStorage()) {
      assertTrue(p.startsWith(server.storage.toAbsolutePath().normalize()), p.toString());
    }
    assertTrue(server.storedFiles().stream().anyMatch(k -> Files.exists(blobs)));
    server.assertInvariants();
  }

  /**
   * Clients that send their request a few bytes at a time hold a connection each, not a thread:
   * while they dribble, everyone else is answered at once.
   */
  @Test
  void slowClientsDoNotStallOthers() throws Exception {
    int slow = 30;
    ExecutorService pool = Executors.newFixedThreadPool(slow);
    List<Future<Answer>> slowOnes = new ArrayList<>();
    byte[] body = utf8("{\"name\": " + 5 + "}");
    byte[] head = RawHttp.head("POST", "/api/libraries", Map.of("Authorization", "Bearer " + alice.key(),
      "Content-Type", "application/json", "Content-Length", String.valueOf(body.length)));
    byte[] all = RawHttp.concat(head, body);
    for (int i = 0; i < slow; i++) {
      slowOnes.add(pool.submit(() -> {
        List<byte[]> pieces = new ArrayList<>();
        for (int j = 0; j < all.length; j += 8) {
          pieces.add(java.util.Arrays.copyOfRange(all, j, Math.min(all.length, j + 8)));
        }
        return http.exchange(pieces, 60);
      }));
    }
    // While they trickle (several seconds), others get their answers promptly.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    int answered = 0;
    while (System.nanoTime() < until) {
      long t0 = System.nanoTime();
      Answer a = http.send("GET", "/api/libraries", auth(null), null);
      assertEquals(200, a.status());
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "a request waited behind slow clients");
      answered++;
    }
    assertTrue(answered > 10);
    for (Future<Answer> f : slowOnes) {
      Answer a = f.get(2, TimeUnit.MINUTES);
      assertEquals(422, a.status(), a.toString());
    }
    pool.shutdown();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static Buffer buf(byte[] b) {
    return Buffer.buffer(b);
  }
}

package org.eucalypt.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The check every test's client carries: a stand-in server answers whatever a case sets, so a
 * drifted field, an undocumented status and a wrong content type are each shown to fail the
 * request that received them, and good answers to pass.
 */
@ExtendWith(VertxExtension.class)
class ContractCheckTest {
  private static final JsonObject LIBRARY = new JsonObject()
    .put("id", "lib_1").put("name", "Holidays").put("user_id", "intuser_1").put("asset_count", 0)
    .put("storage_used_bytes", 0).put("description", null).put("storage_limit_bytes", null)
    .put("created_at", "2024-05-01T10:00:00Z").put("updated_at", "2024-05-01T10:00:00Z");

  private final AtomicReference<Answer> answer = new AtomicReference<>();
  private HttpServer stand;
  private WebClient client;

  record Answer(int status, String contentType, String body) {
  }

  @BeforeEach
  void start(Vertx vertx) {
    stand = vertx.createHttpServer()
      .requestHandler(req -> req.response().setStatusCode(answer.get().status())
        .putHeader("content-type", answer.get().contentType()).end(answer.get().body()))
      .listen(0).await();
    client = ContractCheck.attach(vertx, WebClient.create(vertx, new WebClientOptions()
      .setDefaultHost("localhost").setDefaultPort(stand.actualPort())));
  }

  @AfterEach
  void stop() {
    client.close();
    stand.close().await();
  }

  private HttpResponse<Buffer> get(String path, int status, String contentType, Object body) {
    answer.set(new Answer(status, contentType, String.valueOf(body)));
    return client.get(path).send().await();
  }

  private AssertionFailedError refused(String path, int status, String contentType, Object body) {
    return assertThrows(AssertionFailedError.class, () -> get(path, status, contentType, body));
  }

  @Test
  void answersTheContractDescribesPass() {
    assertEquals(200, get("/api/libraries/lib_1", 200, "application/json", LIBRARY).statusCode());
    assertEquals(404, get("/api/libraries/lib_1", 404, "application/json",
      new JsonObject().put("detail", "Not found")).statusCode());
    // 401 is listed on no operation but answered on all of them.
    assertEquals(401, get("/api/libraries/lib_1", 401, "application/json",
      new JsonObject().put("detail", "Not authenticated")).statusCode());
    // Paths the contract does not describe are not checked.
    assertEquals(200, get("/health", 200, "text/plain", "whatever").statusCode());
  }

  @Test
  void aMissingRequiredFieldFailsNamingOperationStatusAndField() {
    AssertionFailedError e = refused("/api/libraries/lib_1", 200, "application/json", LIBRARY.copy().put("name", null));
    assertTrue(e.getMessage().contains("get_library 200 at /name"), e.getMessage());
    e = refused("/api/libraries/lib_1", 200, "application/json", LIBRARY.copy().put("asset_count", "0"));
    assertTrue(e.getMessage().contains("get_library 200 at /asset_count"), e.getMessage());
    JsonObject withoutName = LIBRARY.copy();
    withoutName.remove("name");
    e = refused("/api/libraries", 200, "application/json", new JsonArray().add(LIBRARY).add(withoutName));
    assertTrue(e.getMessage().contains("list_libraries 200 at /*:") && e.getMessage().contains("name"), e.getMessage());
  }

  @Test
  void anUndocumentedStatusFails() {
    AssertionFailedError e = refused("/api/libraries/lib_1", 418, "application/json", new JsonObject().put("detail", "x"));
    assertTrue(e.getMessage().contains("get_library 418") && e.getMessage().contains("status not documented"),
      e.getMessage());
  }

  @Test
  void aGenericStatusMustStillCarryAnHttpError() {
    AssertionFailedError e = refused("/api/libraries/lib_1", 401, "application/json", new JsonObject().put("detail", 1));
    assertTrue(e.getMessage().contains("get_library 401") && e.getMessage().contains("not an HTTPError"), e.getMessage());
  }

  @Test
  void aWrongContentTypeFails() {
    AssertionFailedError e = refused("/api/libraries/lib_1", 200, "text/plain", LIBRARY);
    assertTrue(e.getMessage().contains("get_library 200"), e.getMessage());
  }
}

package org.eucalypt.http;

import io.vertx.core.Vertx;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** PathTemplates answers what vertx-openapi's own lookup answers, for every kind of request path. */
class PathTemplatesTest {
  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static PathTemplates templates;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, "openapi.yaml").toCompletionStage().toCompletableFuture()
      .get(30, TimeUnit.SECONDS);
    templates = new PathTemplates(contract.getPaths());
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void everyPathOfTheContractWithAnyValuesInItsParametersFindsWhatTheContractFinds() {
    List<String> requests = new ArrayList<>();
    for (Path p : contract.getPaths()) {
      for (String value : List.of("lib_BM3nUmJ6fkBqBADyz5FEiu", "x", "1.5", "%7B%7D", "bulk-update", "exist",
          "counts", "api", "trash", "")) {
        String request = p.getName().replaceAll("\\{[^}]+}", value);
        requests.add(request);
        requests.add(request + "/");
        requests.add(request + "//");
        requests.add(request + "/extra");
        requests.add(request.replace("/api/", "/api//"));
        requests.add(request.toUpperCase());
      }
    }
    requests.addAll(List.of("/", "//", "///", "/api", "/api/", "/api//", "/api/libraries", "/api/libraries/",
      "/nothing", "/api/assets/geo-clusters", "/api/a/b/c/d/e/f/g/h/i/j/k", "/api/libraries/x/trash/////////",
      "/api/libraries//trash", "/health/ready", "/api/assets/x/y/z"));
    int served = 0;
    for (String request : requests) {
      Path expected = contract.findPath(request);
      assertSame(expected, templates.find(request), request);
      served += expected == null ? 0 : 1;
    }
    // The comparison means something only if both found paths for many of these: at the least,
    // every path for each value of its parameters (876 of the 2,115 when written).
    int atLeast = contract.getPaths().size() * 5;
    assertEquals(true, served >= atLeast, served + " of " + requests.size() + " found, fewer than " + atLeast);
  }

  @Test
  void aTemplateWithALiteralWhereAnotherHasAParameterWinsAndUnknownPathsFindNothing() {
    Path library = templates.find("/api/libraries/lib_BM3nUmJ6fkBqBADyz5FEiu");
    assertNotNull(library);
    assertEquals("/api/libraries/{library_id}", library.getName());
    Path trash = templates.find("/api/libraries/lib_BM3nUmJ6fkBqBADyz5FEiu/trash");
    assertNotNull(trash);
    assertEquals("/api/libraries/{library_id}/trash", trash.getName());
    assertNull(templates.find("/api/no-such-thing/at/all"));
  }
}

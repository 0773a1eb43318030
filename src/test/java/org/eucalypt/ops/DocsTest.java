package org.eucalypt.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.support.ServerExtension;
import org.eucalypt.support.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /docs over plain HTTP: the page, its viewer and the contract come from the jar alone. How
 * the page renders in a browser is {@link DocsBrowserTest}'s.
 */
@ExtendWith(ServerExtension.class)
class DocsTest {
  private TestServer server;

  @BeforeEach
  void start(TestServer started) {
    server = started;
  }

  @Test
  void thePageAndItsViewerComeFromTheJarAlone() {
    HttpResponse<Buffer> page = server.get("/docs", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.getHeader("content-type").startsWith("text/html"));
    String html = page.bodyAsString();
    // Everything it loads is on this server: no CDN.
    Matcher refs = Pattern.compile("(?:src|href|url)\\s*[=:]\\s*\"([^\"]+)\"").matcher(html);
    List<String> loaded = new ArrayList<>();
    while (refs.find()) {
      loaded.add(refs.group(1));
    }
    assertFalse(loaded.isEmpty());
    for (String ref : loaded) {
      assertTrue(ref.startsWith("/"), "loads from elsewhere: " + ref);
      assertEquals(200, server.get(ref, null).statusCode(), ref);
    }
    assertTrue(server.get("/docs/openapi.json", null).bodyAsString().contains("\"trash_library\""));
    assertFalse(server.get("/docs/openapi.json", null).bodyAsString().contains("__absolute_uri__"));
  }
}

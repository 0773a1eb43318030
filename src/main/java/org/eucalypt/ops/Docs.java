package org.eucalypt.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code GET /docs}: the API rendered from {@code openapi.yaml} by Swagger UI. The viewer comes
 * from the {@code org.webjars:swagger-ui} WebJar inside the jar and is served from it under
 * {@code /docs/swagger-ui/}: the page loads nothing from elsewhere.
 *
 * <p>The page reads the contract from {@code /docs/openapi.json}: the parsed document without the
 * {@code __absolute_uri__} keys vertx-openapi adds while resolving it, which Swagger UI cannot
 * read (a string among the security schemes breaks its Authorize button).
 */
public final class Docs {
  static final String ASSETS = "/docs/swagger-ui/";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";

  private Docs() {
  }

  /** The WebJar's version, as its own Maven metadata in the jar says. */
  static String viewerVersion() {
    try (InputStream in = Docs.class.getClassLoader()
      .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui WebJar is missing from the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of an OpenAPI document parsed by vertx-openapi, without the keys it added. */
  public static JsonObject published(JsonObject contract) {
    return (JsonObject) strip(contract);
  }

  private static Object strip(Object node) {
    if (node instanceof JsonObject o) {
      JsonObject out = new JsonObject();
      for (String key : o.fieldNames()) {
        if (!key.equals("__absolute_uri__")) {
          out.put(key, strip(o.getValue(key)));
        }
      }
      return out;
    }
    if (node instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      for (int i = 0; i < a.size(); i++) {
        out.add(strip(a.getValue(i)));
      }
      return out;
    }
    return node;
  }

  static void mount(Router router, JsonObject contract) {
    String version = viewerVersion();
    String page = PAGE.replace("{version}", version);
    String document = published(contract).encode();
    router.get("/docs/openapi.json").handler(ctx -> ctx.response()
      .putHeader("content-type", "application/json")
      .end(document));
    router.get("/docs").handler(ctx -> ctx.response()
      .putHeader("content-type", "text/html; charset=utf-8")
      .putHeader("cache-control", "no-cache")
      .end(page));
    router.get("/docs/").handler(ctx -> ctx.redirect("/docs"));
    router.get(ASSETS + "*").handler(StaticHandler.create(WEBJAR + version)
      .setDirectoryListing(false)
      .setMaxAgeSeconds(86_400));
  }

  private static final String PAGE = """
    <!doctype html>
    <html lang="en">
    <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>eucalypt — Gumnut API</title>
      <link rel="stylesheet" href="/docs/swagger-ui/swagger-ui.css?v={version}">
      <link rel="icon" type="image/png" href="/docs/swagger-ui/favicon-32x32.png">
      <style>body { margin: 0; } .swagger-ui .topbar { display: none; }</style>
    </head>
    <body>
      <div id="docs"></div>
      <script src="/docs/swagger-ui/swagger-ui-bundle.js?v={version}"></script>
      <script>
        window.ui = SwaggerUIBundle({
          url: "/docs/openapi.json",
          dom_id: "#docs",
          deepLinking: true,
          displayOperationId: true,
          docExpansion: "list",
          defaultModelsExpandDepth: 0,
          persistAuthorization: false,
          tryItOutEnabled: false
        });
      </script>
    </body>
    </html>
    """;
}

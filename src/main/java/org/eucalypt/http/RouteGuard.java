package org.eucalypt.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Answers, before anything else, what FastAPI's router would for a request no operation serves:
 * a known path with another method is 405 with an {@code Allow} header; a path Gumnut defines
 * that eucalypt does not serve yet is 404 {@code Not Found}, and is never read as an id (without
 * this, {@code GET /api/assets/geo-clusters} would reach {@code get_asset} and answer that no
 * asset "geo-clusters" exists). Anything else goes on to the routes.
 */
final class RouteGuard {
  /**
   * Gumnut's literal paths that the contract's {@code /api/assets/{asset_id}} would otherwise
   * match. One the contract serves needs no entry (its own literal path wins over the template:
   * {@code /api/assets/bulk-update} and {@code /api/assets/exist} left this list when served);
   * the ones listed that are served are looked up literally all the same.
   */
  private static final Set<String> GUMNUT_LITERALS = Set.of(
    "/api/assets/counts", "/api/assets/geo-clusters",
    "/api/assets/trash", "/api/assets/restore", "/api/assets/empty-trash");

  /** Where the operationId of the request waits on the routing context, when one serves it. */
  static final String OPERATION = "eucalypt.operation";

  private final OpenAPIContract contract;
  private final PathTemplates templates;

  /** What each path of the contract serves: its operations by method, and its Allow header. */
  private record Methods(Map<HttpMethod, String> operations, String allow) {
  }

  private final Map<String, Methods> methodsOf = new HashMap<>();

  RouteGuard(OpenAPIContract contract) {
    this.contract = contract;
    this.templates = new PathTemplates(contract.getPaths());
    for (Path p : contract.getPaths()) {
      Map<HttpMethod, String> operations = new HashMap<>();
      Set<String> allowed = new TreeSet<>();
      for (Operation op : p.getOperations()) {
        operations.put(op.getHttpMethod(), op.getOperationId());
        allowed.add(op.getHttpMethod().name());
      }
      methodsOf.put(p.getName(), new Methods(operations, String.join(", ", allowed)));
    }
  }

  void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (!path.startsWith("/api/")) {
      ctx.next();
      return;
    }
    String bare = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    HttpMethod method = ctx.request().method();
    Path served = GUMNUT_LITERALS.contains(bare) ? literal(bare) : find(bare);
    if (served == null) {
      if (GUMNUT_LITERALS.contains(bare)) {
        Problems.send(ctx, 404, "Not Found");
      } else {
        ctx.next();  // the routes' own 404
      }
      return;
    }
    Methods methods = methodsOf.get(served.getName());
    String operationId = methods.operations().get(method);
    if (operationId != null || (method == HttpMethod.HEAD && methods.operations().containsKey(HttpMethod.GET))) {
      if (operationId != null) {
        // Found once here; authentication reads it for the operation's permission.
        ctx.put(OPERATION, operationId);
      }
      ctx.next();
      return;
    }
    ctx.response().putHeader("Allow", methods.allow());
    Problems.send(ctx, 405, "Method Not Allowed");
  }

  /** The contract's path spelled exactly so (with or without its trailing slash), or null. */
  private Path literal(String bare) {
    for (Path p : contract.getPaths()) {
      String name = p.getName();
      if (name.equals(bare) || name.equals(bare + "/")) {
        return p;
      }
    }
    return null;
  }

  private Path find(String bare) {
    Path p = templates.find(bare);
    return p != null ? p : templates.find(bare + "/");
  }
}

package org.eucalypt.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The parameters of an operation that takes nothing but string path segments (the get, trash,
 * restore or delete of one library, for instance): read straight from the path, with nothing
 * to validate, since any segment is a string and the handler parses the id itself (a bad one is
 * 404).
 *
 * <p>Why not vertx-openapi's validator: in the async-profiler profile of GET /api/libraries/{id}
 * its extraction (headers, query and cookies it then ignored) and validation took 1.6 µs of server
 * CPU a request, and this 0.2. A segment is decoded as vertx-openapi decodes it
 * ({@link URLDecoder}, UTF-8), so it reads the same as before.
 */
final class PathSegments {
  /** The parameter's name at each segment of the path template ({@code null} at a literal segment). */
  private final String[] names;

  private PathSegments(String[] names) {
    this.names = names;
  }

  /**
   * For an operation with no body, whose every parameter is a path segment of schema
   * {@code {type: string}}: its segments; otherwise null (vertx-openapi validates it).
   */
  static PathSegments of(String template, Operation op) {
    if (op.getRequestBody() != null || op.getParameters().isEmpty()) {
      return null;
    }
    for (Parameter p : op.getParameters()) {
      if (p.getIn() != Location.PATH || !StringParameters.onlyAString(p.getSchema())) {
        return null;
      }
    }
    String[] names = template.substring(1).split("/");
    for (int i = 0; i < names.length; i++) {
      String s = names[i];
      names[i] = s.startsWith("{") && s.endsWith("}") ? s.substring(1, s.length() - 1) : null;
    }
    return new PathSegments(names);
  }

  /** The request's parameters, as vertx-openapi's validator would have handed them over. */
  ValidatedRequest read(HttpServerRequest request) {
    String[] segments = request.path().substring(1).split("/");
    Map<String, RequestParameter> path = new HashMap<>(4);
    for (int i = 0; i < names.length && i < segments.length; i++) {
      if (names[i] != null) {
        path.put(names[i], new Segment(URLDecoder.decode(segments[i], StandardCharsets.UTF_8)));
      }
    }
    return new Request(path);
  }

  private record Segment(String get) implements RequestParameter {
  }

  private record Request(Map<String, RequestParameter> getPathParameters) implements ValidatedRequest {
    @Override
    public Map<String, RequestParameter> getCookies() {
      return Map.of();
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return Map.of();
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return Map.of();
    }

    @Override
    public RequestParameter getBody() {
      return new Segment(null);
    }
  }
}

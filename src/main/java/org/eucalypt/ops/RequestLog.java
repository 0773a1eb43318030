package org.eucalypt.ops;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The first handler of every request: gives it a request id, and when it ends, writes one
 * access-log line and records it in the HTTP meters ({@link HttpMetrics}).
 *
 * <p>The id is the client's {@code X-Request-Id} when it sends a sane one (up to 128 characters
 * of letters, digits and {@code -_.:/+=}), else a new random one; either way the response
 * carries it back in {@code X-Request-Id}, and handlers find it under {@link #REQUEST_ID}.
 *
 * <p>The line goes to the logger {@code eucalypt.access}: in text, {@code GET /api/libraries 200
 * 3 ms 512 B id=...}; in JSON, with the fields {@code request_id}, {@code method}, {@code path},
 * {@code route}, {@code status}, {@code duration_ms}, {@code bytes} and {@code remote}. The query
 * string is never logged: download URLs carry their signature there.
 */
public final class RequestLog implements Handler<RoutingContext> {
  public static final String HEADER = "X-Request-Id";
  /** Where the operation's route template waits on the routing context (http.Operations). */
  public static final String ROUTE = "eucalypt.route";
  /** Where the id waits on the routing context. */
  public static final String REQUEST_ID = "eucalypt.request_id";
  private static final Logger ACCESS = LoggerFactory.getLogger("eucalypt.access");
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  private final HttpMetrics metrics;

  private RequestLog(HttpMetrics metrics) {
    this.metrics = metrics;
  }

  /** Logs every request and records it in {@code metrics}. */
  public static RequestLog create(HttpMetrics metrics) {
    return new RequestLog(metrics);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String given = req.getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given : newId();
    long started = System.nanoTime();
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader(HEADER, id);
    // An h2c upgrade closes the HTTP/1.1 side and reports a failure though the response went
    // out whole: a response that ended counts as ended.
    ctx.addEndHandler(ar -> ended(ctx, id, started, ar.succeeded() || ctx.response().ended()));
    ctx.next();
  }

  private void ended(RoutingContext ctx, String id, long started, boolean completed) {
    long nanos = System.nanoTime() - started;
    HttpServerRequest req = ctx.request();
    HttpServerResponse res = ctx.response();
    String template = ctx.get(ROUTE);
    if (template == null) {
      Route route = ctx.currentRoute();  // an operator's route (/health/ready), or none at all
      template = route != null ? route.getPath() : null;
    }
    int status = completed ? res.getStatusCode() : 0;
    String method = req.method().name();
    if (completed) {
      metrics.record(method, status, template, nanos);
    }
    if (!ACCESS.isInfoEnabled()) {
      return;
    }
    double millis = nanos / 1_000 / 1000.0;
    // The socket's own address: vertx-web's request wrapper would parse Forwarded headers for
    // it first, which eucalypt does not trust (allowForward stays NONE) and so never changes it.
    SocketAddress remote = req.connection() == null ? null : req.connection().remoteAddress();
    long bytes = res.bytesWritten();
    // The line written here rather than by slf4j's "{}" formatter, which took 0.45 µs a request
    // in the async-profiler profile of GET /api/libraries/{id}: the same text, for half that.
    StringBuilder line = new StringBuilder(96).append(method).append(' ').append(req.path()).append(' ');
    if (completed) {
      line.append(status);
    } else {
      line.append('-');
    }
    line.append(' ').append(millis).append(" ms ").append(bytes).append(" B id=").append(id);
    if (!completed) {
      line.append(" (connection closed before the response ended)");
    }
    ACCESS.atInfo()
      .addKeyValue("request_id", id)
      .addKeyValue("method", method)
      .addKeyValue("path", req.path())
      .addKeyValue("route", template)
      .addKeyValue("status", status)
      .addKeyValue("duration_ms", millis)
      .addKeyValue("bytes", bytes)
      .addKeyValue("remote", remote == null ? null : remote.hostAddress())
      .log(line.toString());
  }

  /**
   * 20 random base-36 characters: about 103 bits, short enough to paste into a search. An id
   * correlates log lines and grants nothing, so it needs to be unique, not unguessable:
   * ThreadLocalRandom rather than SecureRandom, whose twenty draws per request each took a lock
   * around /dev/urandom (2% of the server's CPU on GET /api/libraries/{id}, bench/run.sh).
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }
}

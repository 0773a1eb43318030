package org.eucalypt.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server's two meters, recorded by {@link RequestLog} as each request ends:
 * {@code vertx_http_server_requests_total} and {@code vertx_http_server_response_time_seconds}
 * (a histogram), by {@code method}, {@code code} and {@code route} (the route template, or
 * {@code ""} when no operation took the request). They keep the names and labels
 * vertx-micrometer gave them, so dashboards did not change.
 *
 * <p>vertx-micrometer's own HTTP server metrics are off ({@link Metrics}): they built tags and
 * looked up six meters in the registry for every request, and reported each route a request
 * passed, about 5 µs of the 47 a GET /api/libraries/{id} took in all (bench/get-ab.sh) — more
 * than anything else eucalypt adds to the request. Here a request costs one lookup in a map of
 * the meters already made.
 */
public final class HttpMetrics {
  /** For a Vert.x without metrics (most tests): records nothing. */
  static final HttpMetrics NONE = new HttpMetrics(null);

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Series, Timer> meters = new ConcurrentHashMap<>();

  private HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public static HttpMetrics of(MeterRegistry registry) {
    return registry == null ? NONE : new HttpMetrics(registry);
  }

  void record(String method, int status, String route, long nanos) {
    if (registry == null) {
      return;
    }
    meters.computeIfAbsent(new Series(method, status, route == null ? "" : route), this::register)
      .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The series' timer, and its request counter read from the timer's own count when scraped:
   * the same figure, without a second increment a request.
   */
  private Timer register(Series s) {
    Tags tags = Tags.of("method", s.method, "code", Integer.toString(s.status), "route", s.route);
    Timer responseTime = Timer.builder("vertx.http.server.response.time").description("Request processing time")
      .tags(tags).register(registry);
    FunctionCounter.builder("vertx.http.server.requests", responseTime, Timer::count)
      .description("Number of processed requests").tags(tags).register(registry);
    return responseTime;
  }

  private record Series(String method, int status, String route) {
  }
}

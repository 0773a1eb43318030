package org.eucalypt.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;

/**
 * The operator's routes, outside {@code /api} and so without an API key: {@code /health/live},
 * {@code /health/ready}, {@code /metrics} (Prometheus text) and {@code /docs}. They are meant for
 * probes, scrapers and people on the inside: keep {@code /metrics} and {@code /health} off the
 * public side of the reverse proxy (see README, "Operating eucalypt").
 */
public final class Ops {
  private Ops() {
  }

  /**
   * Called by each HTTP verticle while it builds its router, on its own context, with the
   * OpenAPI document it was built from.
   */
  public static void mount(Vertx vertx, Router router, Settings settings, JsonObject contract) {
    Health health = new Health(vertx, Database.pool(vertx, settings));
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    PrometheusMeterRegistry registry = Metrics.registry(vertx);
    if (registry != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    } else {
      router.get("/metrics").handler(ctx -> ctx.response().setStatusCode(503)
        .putHeader("content-type", "text/plain; charset=utf-8")
        .end("metrics are off: this Vert.x was built without them (the jar's serve command builds it with them)\n"));
    }
    Docs.mount(router, contract);
  }
}

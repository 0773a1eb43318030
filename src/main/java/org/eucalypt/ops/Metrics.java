package org.eucalypt.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import org.eucalypt.cluster.Cluster;
import org.eucalypt.config.Settings;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.eucalypt.drain.DrainMetrics;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics through vertx-micrometer-metrics. Vert.x reports its HTTP server, pools and
 * event bus into the registry only when the {@link Vertx} was built with it, so the command line
 * builds its Vert.x here; a Vert.x built otherwise (as in most tests) simply has no metrics, and
 * {@code GET /metrics} says so.
 *
 * <p>What the registry holds, with Prometheus names:
 * <ul>
 *   <li>{@code vertx_http_server_response_time_seconds} (a histogram) and
 *       {@code vertx_http_server_requests_total}, by {@code method}, {@code code} and {@code route}: the
 *       route template matched (such as {@code /api/libraries/:library_id/trash}), never the raw path
 *       ({@link HttpMetrics}, recorded by {@link RequestLog});</li>
 *   <li>{@code vertx_pool_in_use}, {@code vertx_pool_ratio}, {@code vertx_pool_queue_pending} and
 *       {@code vertx_pool_queue_time_seconds} (a histogram): the PostgreSQL pool's use and waits;</li>
 *   <li>{@code vertx_eventbus_sent_total}, {@code _received_total}, {@code _processed_total},
 *       {@code _reply_failures_total}, {@code vertx_eventbus_handlers}, by {@code address};</li>
 *   <li>the drain's own {@code eucalypt_drain_*} ({@link DrainMetrics}) and the JVM's {@code jvm_*}.</li>
 * </ul>
 */
public final class Metrics {
  /** Vert.x keys its registries by name: each Vert.x built here gets one of its own. */
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  /** The type the SQL clients report their metrics under (vertx-sql-client's ClientMetrics "sql"). */
  private static final String SQL_CLIENTS = "sql";
  private static final Map<Vertx, PrometheusMeterRegistry> REGISTRIES = Collections.synchronizedMap(new WeakHashMap<>());

  private Metrics() {
  }

  /** A Vert.x that reports into a Prometheus registry of its own, found again with {@link #registry}. */
  public static Vertx vertx(VertxOptions options) {
    return vertx(options, null).await();
  }

  /** As {@link #vertx(VertxOptions)}, clustered when the settings name a cluster ({@link Cluster}). */
  public static Future<Vertx> vertx(VertxOptions options, Settings settings) {
    PrometheusMeterRegistry registry = newRegistry();
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName("eucalypt-" + SEQUENCE.incrementAndGet())
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
      .setJvmMetricsEnabled(true)
      // The HTTP server's meters are recorded by RequestLog (HttpMetrics says why); the sockets'
      // byte counts, per read and per write, told nothing the HTTP meters do not; and the SQL
      // clients' own meters (vertx_sql_*, two counters and a timer a statement, about 0.6 µs of
      // a GET /api/libraries/{id}) timed what the pools' vertx_pool_usage histogram times.
      .setDisabledMetricsCategories(Set.of(MetricsDomain.HTTP_SERVER.toCategory(),
        MetricsDomain.NET_SERVER.toCategory(), MetricsDomain.NET_CLIENT.toCategory(), SQL_CLIENTS))
      .setLabels(EnumSet.of(Label.POOL_TYPE, Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_FAILURE));
    VertxOptions withMetrics = new VertxOptions(options).setMetricsOptions(metrics);
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
    Future<Vertx> built = settings == null
      ? Future.succeededFuture(builder.with(withMetrics).build())
      : Cluster.vertx(builder, withMetrics, settings);
    return built.onSuccess(vertx -> REGISTRIES.put(vertx, registry));
  }

  /** The registry of a Vert.x built by {@link #vertx}, or null when it has no metrics. */
  public static PrometheusMeterRegistry registry(Vertx vertx) {
    return REGISTRIES.get(vertx);
  }

  static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
      // The pools are named after their database URL, which may carry a password: never export it.
      .meterFilter(MeterFilter.replaceTagValues(Label.POOL_NAME.toString(),
        name -> name.startsWith("eucalypt:") ? "eucalypt" : name.startsWith("eucalypt-reads:") ? "eucalypt-reads" : name))
      .meterFilter(new MeterFilter() {
        @Override
        public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
          return histogram(id.getName())
            ? DistributionStatisticConfig.builder().serviceLevelObjectives(BUCKETS).build().merge(config)
            : config;
        }
      });
    return registry;
  }

  /** Histogram buckets, in nanoseconds: 1 ms to 30 s, a dozen per series rather than Micrometer's seventy. */
  private static final double[] BUCKETS = java.util.stream.DoubleStream.of(
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
    .map(seconds -> seconds * 1e9).toArray();

  /** The timers worth a Prometheus histogram (buckets), so quantiles can be computed across instances. */
  private static boolean histogram(String name) {
    return name.equals("vertx.http.server.response.time")
      || name.equals("vertx.pool.queue.time")
      || name.equals("vertx.pool.usage")
      || name.equals(DrainMetrics.BATCH_DURATION);
  }
}

package org.eucalypt;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.vertx.openapi.contract.OpenAPIContract;
import org.eucalypt.asset.AssetService;
import org.eucalypt.asset.AssetServiceImpl;
import org.eucalypt.auth.AuthVerticle;
import org.eucalypt.auth.AuthService;
import org.eucalypt.auth.AuthServiceImpl;
import org.eucalypt.auth.Permissions;
import org.eucalypt.album.AlbumService;
import org.eucalypt.album.AlbumServiceImpl;
import org.eucalypt.bus.ServiceVerticle;
import org.eucalypt.event.EventService;
import org.eucalypt.event.EventServiceImpl;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.drain.DrainMetrics;
import org.eucalypt.drain.DrainVerticle;
import org.eucalypt.event.EventBridge;
import org.eucalypt.event.EventVerticle;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import org.eucalypt.http.ApiVerticle;
import org.eucalypt.http.UrlSigner;
import org.eucalypt.library.LibraryService;
import org.eucalypt.library.LibraryServiceImpl;
import org.eucalypt.ops.Health;
import org.eucalypt.rendition.RenditionLimits;
import org.eucalypt.rendition.RenditionVerticle;
import org.eucalypt.rendition.TaskService;
import org.eucalypt.rendition.TaskServiceImpl;
import org.eucalypt.ops.Metrics;
import org.eucalypt.storage.BlobStore;
import org.eucalypt.storage.BlobStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starting the whole server in a Vert.x instance: database, storage, then one verticle per
 * concern. The command line and the tests both start it through here.
 */
public final class Eucalypt {
  private static final Logger LOG = LoggerFactory.getLogger(Eucalypt.class);
  /** Uploads staged longer ago than this were cut off by a crash. */
  private static final Duration STALE_STAGING = Duration.ofHours(24);

  private final Vertx vertx;
  private final Settings settings;
  private final Clock clock;
  private final boolean drain;
  private final List<String> deployments = new ArrayList<>();
  private BlobStore blobs;
  private Pool pool;
  private int port;
  private TcpEventBusBridge bridge;

  private Eucalypt(Vertx vertx, Settings settings, Clock clock, boolean drain) {
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.drain = drain;
  }

  public static Future<Eucalypt> start(Vertx vertx, Settings settings) {
    return start(vertx, settings, Clock.systemUTC(), true);
  }

  /** With {@code drain} false no drain runs on a timer; tests drive the drain themselves. */
  public static Future<Eucalypt> start(Vertx vertx, Settings settings, Clock clock, boolean drain) {
    Eucalypt app = new Eucalypt(vertx, settings, clock, drain);
    return app.deploy().map(app);
  }

  private Future<Void> deploy() {
    blobs = BlobStores.of(vertx, settings);
    return Database.prepare(vertx, settings)
      .compose(v -> blobs.init())
      .compose(v -> blobs.sweepStaging(STALE_STAGING.toMillis()))
      .compose(v -> {
        pool = Database.pool(vertx, settings);
        return signingKey(pool);
      })
      .compose(key -> {
        UrlSigner signer = new UrlSigner(key, clock);
        return OpenAPIContract.from(vertx, "openapi.yaml").compose(contract -> deployVerticles(signer,
          new Permissions(contract)));
      });
  }

  private Future<Void> deployVerticles(UrlSigner signer, Permissions permissions) {
    // The services' doors on the event bus, one instance per event loop (as many as HTTP verticles).
    int loops = settings.effectiveHttpInstances();
    Future<Void> f = deploy(() -> new AuthVerticle(settings), 1)
      .compose(v -> deploy(() -> new EventVerticle(settings), 1))
      .compose(v -> deploy(() -> new ServiceVerticle<>(LibraryService.class, LibraryService.ADDRESS,
        vx -> new LibraryServiceImpl(vx, settings, clock), settings, clock, permissions), loops))
      .compose(v -> deploy(() -> new ServiceVerticle<>(AssetService.class, AssetService.ADDRESS,
        vx -> new AssetServiceImpl(vx, settings, clock, blobs), settings, clock, permissions), loops))
      .compose(v -> deploy(() -> new ServiceVerticle<>(AuthService.class, AuthService.ADDRESS,
        vx -> new AuthServiceImpl(vx, settings), settings, clock, permissions), loops))
      .compose(v -> deploy(() -> new ServiceVerticle<>(EventService.class, EventService.ADDRESS,
        vx -> new EventServiceImpl(vx, settings), settings, clock, permissions), loops))
      .compose(v -> deploy(() -> new ServiceVerticle<>(TaskService.class, TaskService.ADDRESS,
        vx -> new TaskServiceImpl(vx, settings), settings, clock, permissions), loops))
      .compose(v -> deploy(() -> new ServiceVerticle<>(org.eucalypt.stack.StackService.class,
        org.eucalypt.stack.StackService.ADDRESS, vx -> new org.eucalypt.stack.StackServiceImpl(vx, settings, clock),
        settings, clock, permissions), loops))
      .compose(v -> deploy(() -> new ServiceVerticle<>(AlbumService.class, AlbumService.ADDRESS,
        vx -> new AlbumServiceImpl(vx, settings, clock), settings, clock, permissions), loops))
      .compose(v -> deploy(() -> new ServiceVerticle<>(org.eucalypt.person.PeopleService.class,
        org.eucalypt.person.PeopleService.ADDRESS, vx -> new org.eucalypt.person.PeopleServiceImpl(vx, settings, clock),
        settings, clock, permissions), loops));
    if (drain) {
      // Its gauges and counters go to /metrics when this Vert.x has metrics (ops.Metrics).
      DrainMetrics drainMetrics = DrainMetrics.of(Metrics.registry(vertx));
      f = f.compose(v -> deploy(() -> new DrainVerticle(settings, clock, blobs, drainMetrics), 1));
      // Background work, like the drain: tests that drive the queue themselves leave it off.
      f = f.compose(v -> deploy(() -> new RenditionVerticle(settings, clock, blobs, RenditionLimits.of(settings)), 1));
    }
    // The bridge listens before HTTP does, so readiness answering 200 means every door is open.
    ApiVerticle[] first = new ApiVerticle[1];
    return f.compose(v -> startBridge()).compose(v -> deploy(() -> {
      ApiVerticle api = new ApiVerticle(settings, blobs, signer, clock);
      if (first[0] == null) {
        first[0] = api;
      }
      return api;
    }, settings.effectiveHttpInstances())).map(v -> {
      port = first[0].port();
      return null;
    });
  }

  /** The TCP event-bus bridge, when {@code bridge_port} is set. */
  private Future<Void> startBridge() {
    if (settings.bridgePort() == null) {
      return Future.succeededFuture();
    }
    return EventBridge.start(vertx, settings.bridgeHost(), settings.bridgePort())
      .onSuccess(b -> {
        bridge = b;
        LOG.info("event bus bridge listening on {}:{}", settings.bridgeHost(), settings.bridgePort());
      })
      .mapEmpty();
  }

  private Future<Void> deploy(java.util.function.Supplier<io.vertx.core.Deployable> verticle, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
      .onSuccess(deployments::add)
      .mapEmpty();
  }

  /** The key that signs download URLs: made once, shared by every instance through PostgreSQL. */
  private static Future<byte[]> signingKey(Pool pool) {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return pool.preparedQuery("INSERT INTO server_secrets (name, value) VALUES ('url_signing_key', $1) "
        + "ON CONFLICT (name) DO NOTHING").execute(Tuple.of(Buffer.buffer(fresh)))
      .compose(v -> pool.query("SELECT value FROM server_secrets WHERE name = 'url_signing_key'").execute())
      .map(rows -> rows.iterator().next().getBuffer("value").getBytes());
  }

  /**
   * The graceful stop (SIGTERM; see Main): readiness answers 503 at once so a load balancer stops
   * sending here; after {@code shutdown_grace} (time for the balancer to notice) the stop proper
   * runs: the HTTP listener closes and requests under way finish (at most {@code shutdown_timeout}),
   * the drain's batch under way commits, then the pool and the store close.
   */
  public Future<Void> shutdown() {
    Health.markStopping(vertx);
    LOG.info("stopping: readiness now answers 503; closing the listener in {}", settings.shutdownGrace());
    long grace = settings.shutdownGrace().toMillis();
    Future<Void> waited = grace <= 0 ? Future.succeededFuture() : vertx.timer(grace).mapEmpty();
    return waited.compose(v -> stop())
      .onSuccess(v -> LOG.info("stopped: requests under way finished, the drain's batch committed"));
  }

  public Future<Void> stop() {
    Future<Void> f = bridge == null ? Future.succeededFuture() : bridge.close();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      f = f.compose(v -> vertx.undeploy(id));
    }
    return f.compose(v -> pool.close()).compose(v -> blobs.close());
  }

  public int port() {
    return port;
  }

  public Pool pool() {
    return pool;
  }

  public BlobStore blobs() {
    return blobs;
  }

  public Settings settings() {
    return settings;
  }
}

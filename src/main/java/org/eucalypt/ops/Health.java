package org.eucalypt.ops;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import org.eucalypt.drain.DrainVerticle;
import org.eucalypt.rendition.RenditionVerticle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health/live} and {@code GET /health/ready}, with vertx-health-check.
 *
 * <p>Live: the process answers HTTP (its event loop is not stuck). Ready: the database answers
 * and is migrated to this jar's newest migration, and this process's drain is running; when
 * clustered, this member is still in the cluster (the answer says how many members it sees). A check
 * that fails or does not answer in time makes the whole answer 503, and the body names it:
 * {@code {"status":"DOWN","failing":["database"],"checks":[{"id":"database","status":"DOWN","data":{...}}, ...]}}.
 */
public final class Health {
  /** Each check answers within this, else it counts as down. */
  static final long CHECK_TIMEOUT_MS = 2_000;
  /** A local map per Vert.x (not a static): tests run several servers in one JVM. */
  private static final String LIFECYCLE = "eucalypt.lifecycle";
  private static final String STOPPING = "stopping";

  private final HealthChecks live;
  private final HealthChecks ready;

  public Health(Vertx vertx, Pool pool) {
    live = HealthChecks.create(vertx)
      .register("server", CHECK_TIMEOUT_MS, p -> p.complete(Status.OK()));
    ready = HealthChecks.create(vertx)
      .register("database", CHECK_TIMEOUT_MS * 2, p -> database(vertx, pool, p))
      .register("drain", CHECK_TIMEOUT_MS * 2, p -> drain(vertx, p))
      .register("renditions", CHECK_TIMEOUT_MS, Health::renditions);
    if (vertx.isClustered()) {
      ready.register("cluster", CHECK_TIMEOUT_MS, p -> cluster(vertx, p));
    }
  }

  /** Clustered: this member is in the cluster, and how many members it sees (itself included). */
  private static void cluster(Vertx vertx, Promise<Status> p) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    JsonObject data = new JsonObject().put("node_id", manager.getNodeId());
    if (!manager.isActive()) {
      p.complete(Status.KO(data.put("reason", "this member has left the cluster")));
      return;
    }
    p.complete(Status.OK(data.put("members", manager.getNodes().size())));
  }

  public void live(RoutingContext ctx) {
    answer(ctx, live);
  }

  public void ready(RoutingContext ctx) {
    // Answered at once, without asking the checks: a load balancer must stop sending the moment a
    // graceful stop begins, while the server still serves what it is sent (see Eucalypt.shutdown).
    if (stopping(ctx.vertx())) {
      ctx.response().setStatusCode(503)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(new JsonObject().put("status", "DOWN").put("failing", new JsonArray().add("shutdown"))
          .put("reason", "this instance is shutting down").encode());
      return;
    }
    answer(ctx, ready);
  }

  /** From now on this Vert.x's readiness answers 503: the server is stopping. */
  public static void markStopping(Vertx vertx) {
    vertx.sharedData().getLocalMap(LIFECYCLE).put(STOPPING, true);
  }

  static boolean stopping(Vertx vertx) {
    return Boolean.TRUE.equals(vertx.sharedData().getLocalMap(LIFECYCLE).get(STOPPING));
  }

  private static void database(Vertx vertx, Pool pool, Promise<Status> p) {
    Migrations.check(pool).timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .onSuccess(state -> p.complete(state.migrated()
        ? Status.OK(new JsonObject().put("schema_version", state.current()))
        : Status.KO(new JsonObject().put("reason", state.problem())
          .put("schema_version", state.current()).put("expected_version", state.expected()))))
      .onFailure(e -> p.complete(Status.KO(new JsonObject().put("reason", "unreachable: " + message(e)))));
  }

  /**
   * Always up: without libvips or ffmpeg everything but renditions is served, and their tasks
   * fail saying what is missing. The check names it too, for whoever installs the server.
   */
  private static void renditions(Promise<Status> p) {
    List<String> missing = RenditionVerticle.missingTools();
    p.complete(Status.OK(new JsonObject().put("missing_tools", new JsonArray(missing))));
  }

  private static void drain(Vertx vertx, Promise<Status> p) {
    vertx.eventBus().<JsonObject>request(DrainVerticle.STATUS, null,
        new DeliveryOptions().setLocalOnly(true).setSendTimeout(CHECK_TIMEOUT_MS))
      .onSuccess(msg -> {
        JsonObject s = msg.body();
        p.complete(s.getBoolean("running", false)
          ? Status.OK(s)
          : Status.KO(s.copy().put("reason", "the drain is stopped")));
      })
      .onFailure(e -> p.complete(Status.KO(new JsonObject().put("reason",
        e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
          ? "no drain runs in this process"
          : "the drain did not answer: " + message(e)))));
  }

  private static void answer(RoutingContext ctx, HealthChecks checks) {
    checks.checkStatus().onComplete(ar -> {
      JsonObject body;
      boolean up;
      if (ar.failed()) {
        up = false;
        body = new JsonObject().put("status", "DOWN").put("failing", new JsonArray().add("health-check"))
          .put("reason", message(ar.cause()));
      } else {
        CheckResult result = ar.result();
        up = CheckResult.isUp(result);
        List<String> failing = new ArrayList<>();
        JsonArray list = new JsonArray();
        for (CheckResult c : result.getChecks()) {
          JsonObject json = c.toJson();
          if (!Boolean.TRUE.equals(c.getUp())) {
            failing.add(c.getId());
          }
          list.add(json);
        }
        body = new JsonObject().put("status", up ? "UP" : "DOWN");
        if (!up) {
          body.put("failing", new JsonArray(failing));
        }
        body.put("checks", list);
      }
      ctx.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encode());
    });
  }

  private static String message(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}

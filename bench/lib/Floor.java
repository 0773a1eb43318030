import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The floor under GET /api/libraries/{id}: what Vert.x and its PostgreSQL client alone reach on
 * this machine. One verticle per core, the same pool size and statement as eucalypt, the row as
 * JSON, and nothing else: no routing, authentication, validation, event bus, metrics or access
 * log. bench/run.sh compiles it against eucalypt.jar and measures it beside the server, so the
 * report can say how much of the distance to pgbench is the stack's and how much is eucalypt's.
 *
 * <p>Usage: java -cp eucalypt.jar:DIR Floor PORT DATABASE LIBRARY_UUID USER_UUID
 */
public class Floor extends VerticleBase {
  private static final String SQL = """
    SELECT id, user_id, name, description, asset_count, storage_used_bytes, storage_limit_bytes,
           trashed_at, purge_after, created_at, updated_at
      FROM libraries WHERE id = $1 AND user_id = $2""";
  private static String[] args;

  public static void main(String[] a) {
    args = a;
    Vertx.vertx().deployVerticle(Floor::new, new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
      .await();
    System.out.println("floor listening on port " + a[0]);
  }

  @Override
  public Future<?> start() {
    Pool pool = PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(16))
      .connectingTo(new PgConnectOptions().setHost("localhost").setPort(5432).setDatabase(args[1])
        .setUser(System.getProperty("user.name")).setCachePreparedStatements(true).setPipeliningLimit(256))
      .using(vertx).build();
    Tuple params = Tuple.of(UUID.fromString(args[2]), UUID.fromString(args[3]));
    return vertx.createHttpServer().requestHandler(req -> pool.preparedQuery(SQL).execute(params).onComplete(ar -> {
      if (ar.failed() || ar.result().size() != 1) {
        req.response().setStatusCode(500).end();
        return;
      }
      Row r = ar.result().iterator().next();
      JsonObject lib = new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("name", r.getString("name"))
        .put("description", r.getString("description"))
        .put("asset_count", r.getLong("asset_count"))
        .put("storage_used_bytes", r.getLong("storage_used_bytes"))
        .put("storage_limit_bytes", r.getLong("storage_limit_bytes"))
        .put("trashed_at", r.getValue("trashed_at") == null ? null : r.getValue("trashed_at").toString())
        .put("purge_after", r.getValue("purge_after") == null ? null : r.getValue("purge_after").toString())
        .put("created_at", r.getValue("created_at").toString())
        .put("updated_at", r.getValue("updated_at").toString());
      req.response().putHeader("content-type", "application/json").end(lib.encode());
    })).listen(Integer.parseInt(args[0]));
  }
}

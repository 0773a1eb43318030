package org.eucalypt.auth;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.Bus;
import org.eucalypt.bus.Failure;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;

import java.util.Base64;
import java.util.UUID;

/** Answers "who is this key?" for the HTTP layer: the user, the key's actions and its scope. */
public class AuthVerticle extends VerticleBase {
  public static final String AUTHENTICATE = "auth.authenticate";

  private final Settings settings;
  private Pool pool;

  public AuthVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, settings);
    return Bus.serve(vertx, AUTHENTICATE, this::authenticate);
  }

  /** Request: {@code {"secret_sha256": base64}}. Unknown, revoked or inactive: 401. */
  Future<JsonObject> authenticate(JsonObject req) {
    byte[] hash = Base64.getDecoder().decode(req.getString("secret_sha256"));
    return pool.preparedQuery(AuthSql.PRINCIPAL).execute(Tuple.of(Buffer.buffer(hash))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Failure.of(401, "Not authenticated"));
      }
      Row r = rows.iterator().next();
      JsonArray libraries = new JsonArray();
      for (UUID id : r.getArrayOfUUIDs("library_ids")) {
        libraries.add(id.toString());
      }
      return Future.succeededFuture(new JsonObject()
        .put("user_id", r.getUUID("user_id").toString())
        .put("key_id", r.getUUID("key_id").toString())
        .put("actions", new JsonArray(java.util.List.of(r.getArrayOfStrings("actions"))))
        .put("library_scope_mode", r.getString("library_scope_mode"))
        .put("library_ids", libraries));
    });
  }
}

package org.eucalypt.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.bus.DomainException;
import org.eucalypt.id.Ids;

import java.util.UUID;

/** Creating users, each with a first key that can do everything. */
public final class Users {
  private static final String UNIQUE_VIOLATION = "23505";

  private Users() {
  }

  /** Answers {@code {"user_id": "intuser_...", "api_key": "..."}}; the key is shown only here. */
  public static Future<JsonObject> create(Pool pool, String email, Long storageLimitBytes) {
    UUID user = Ids.newUuid();
    UUID key = Ids.newUuid();
    String secret = Secrets.newSecret();
    return pool.withTransaction(tx -> tx.preparedQuery(AuthSql.INSERT_USER)
        .execute(Tuple.of(user, email, storageLimitBytes))
        .compose(v -> tx.preparedQuery(AuthSql.INSERT_KEY).execute(Tuple.of(key, user, "Default key",
          Buffer.buffer(Secrets.hash(secret)), Permissions.ALL_ACTIONS.toArray(String[]::new), "all_libraries"))))
      .recover(e -> e instanceof PgException pe && UNIQUE_VIOLATION.equals(pe.getSqlState())
        ? Future.failedFuture(DomainException.conflict("A user with email " + email + " already exists"))
        : Future.failedFuture(e))
      .map(v -> new JsonObject().put("user_id", Ids.USER.format(user)).put("api_key", secret));
  }
}

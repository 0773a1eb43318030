package org.eucalypt.rendition;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** How work enters the queue: in the transaction that inserts the asset, so none is ever lost. */
public final class Tasks {
  private Tasks() {
  }

  /** Queues what an asset of {@code mimeType} needs; answers how many tasks were queued. */
  public static Future<Integer> enqueue(SqlClient tx, UUID asset, String mimeType, OffsetDateTime now) {
    List<TaskType> types = TaskType.forMimeType(mimeType);
    if (types.isEmpty()) {
      return Future.succeededFuture(0);
    }
    UUID[] ids = types.stream().map(t -> UUID.randomUUID()).toArray(UUID[]::new);
    String[] names = types.stream().map(TaskType::apiName).toArray(String[]::new);
    return tx.preparedQuery(TaskSql.ENQUEUE).execute(Tuple.of(ids, asset, names, now)).map(types.size());
  }
}

package org.eucalypt.rendition;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.DomainException;
import org.eucalypt.bus.Json;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Reads;
import org.eucalypt.id.Ids;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@link TaskService} on the {@code tasks} queue the rendition workers claim from. */
public final class TaskServiceImpl implements TaskService {
  private final Reads reads;

  public TaskServiceImpl(Vertx vertx, Settings settings) {
    this.reads = Database.reads(vertx, settings);
  }

  @Override
  public Future<List<JsonObject>> listTasks(Caller caller, String libraryId, String status, String taskType,
                                            int limit) {
    UUID library = null;
    if (libraryId != null) {
      library = Ids.LIBRARY.parse(libraryId).orElse(null);
      if (library == null || !caller.reaches(library)) {
        return Future.failedFuture(DomainException.notFound());
      }
    }
    UUID named = library;
    Future<Void> known = named == null ? Future.succeededFuture()
      : reads.run(c -> c.preparedQuery(TaskSql.LIVE_LIBRARY).execute(Tuple.of(named, caller.userId())))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound()) : Future.succeededFuture());
    return known.compose(v -> reads.run(c -> c.preparedQuery(TaskSql.LIST).execute(Tuple.tuple()
        .addUUID(caller.userId())
        .addArrayOfUUID(caller.librariesArray())
        .addUUID(named)
        .addString(status)
        .addString(taskType)
        .addInteger(limit))))
      .map(TaskServiceImpl::responses);
  }

  @Override
  public Future<JsonObject> getTask(Caller caller, String taskId) {
    // Either id: btask_... or the UUID that is its celery_task_id.
    Optional<UUID> task = Ids.TASK.parse(taskId).or(() -> uuid(taskId));
    if (task.isEmpty()) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(TaskSql.GET).execute(Tuple.of(task.get(), caller.userId())))
      .compose(rows -> {
        if (rows.size() == 0 || !caller.reaches(rows.iterator().next().getUUID("library_id"))) {
          return Future.failedFuture(DomainException.notFound());
        }
        return Future.succeededFuture(response(rows.iterator().next()));
      });
  }

  @Override
  public Future<List<JsonObject>> listTasksForAsset(Caller caller, String assetId) {
    UUID asset = Ids.ASSET.parse(assetId).orElse(null);
    if (asset == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(TaskSql.OF_ASSET).execute(Tuple.of(asset, caller.userId())))
      .compose(rows -> {
        // One row per task, or a single row without one for an asset that has none: no row, no asset.
        if (rows.size() == 0 || !caller.reaches(rows.iterator().next().getUUID("library_id"))) {
          return Future.failedFuture(DomainException.notFound());
        }
        return Future.succeededFuture(responses(rows));
      });
  }

  private static List<JsonObject> responses(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      if (r.getUUID("id") != null) {
        out.add(response(r));
      }
    }
    return out;
  }

  /** Gumnut's {@code TaskResponse}. */
  private static JsonObject response(Row r) {
    UUID id = r.getUUID("id");
    return new JsonObject()
      .put("id", Ids.TASK.format(id))
      .put("asset_id", Ids.ASSET.format(r.getUUID("asset_id")))
      .put("celery_task_id", id.toString())
      .put("task_type", r.getString("task_type"))
      .put("status", r.getString("status"))
      // Claims after the first: a retry after a failure, or a lost worker's lease taken over.
      .put("retry_count", Math.max(0, r.getInteger("attempts") - 1))
      .put("error_message", r.getString("error_message"))
      .put("result", r.getString("result"))
      .put("started_at", Json.time(r.getOffsetDateTime("started_at")))
      .put("completed_at", Json.time(r.getOffsetDateTime("completed_at")))
      .put("created_at", Json.time(r.getOffsetDateTime("created_at")));
  }

  private static Optional<UUID> uuid(String s) {
    try {
      return s.length() == 36 ? Optional.of(UUID.fromString(s)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}

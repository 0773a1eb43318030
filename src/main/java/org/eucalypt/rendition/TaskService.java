package org.eucalypt.rendition;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.eucalypt.auth.Caller;

import java.util.List;

/**
 * The background work on the caller's assets, as Gumnut's {@code TaskResponse}s, newest first.
 * Each method is named after its operationId in openapi.yaml. Like every read, it joins on the
 * library being live and the caller's own: a trashed library's tasks, and another user's, answer
 * NOT_FOUND (or are left out of lists) alike.
 */
@ProxyGen
@VertxGen
public interface TaskService {
  String ADDRESS = "eucalypt.service.tasks";

  /** {@code libraryId}, {@code status} and {@code taskType} may be null (no filter). */
  Future<List<JsonObject>> listTasks(Caller caller, String libraryId, String status, String taskType, int limit);

  /** By its {@code btask_} id or its {@code celery_task_id} (the task's UUID). */
  Future<JsonObject> getTask(Caller caller, String taskId);

  Future<List<JsonObject>> listTasksForAsset(Caller caller, String assetId);
}

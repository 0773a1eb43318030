package org.eucalypt.http;

import io.vertx.ext.web.RoutingContext;
import org.eucalypt.rendition.TaskService;

import static org.eucalypt.http.Replies.caller;
import static org.eucalypt.http.Replies.path;
import static org.eucalypt.http.Replies.query;

/** The background tasks, named after their operationIds in openapi.yaml. */
final class TaskHandlers {
  private final TaskService tasks;

  TaskHandlers(TaskService tasks) {
    this.tasks = tasks;
  }

  void listTasks(RoutingContext ctx) {
    // status and task_type are checked against their enums by the contract's validation.
    Replies.answer(ctx, 200, tasks.listTasks(caller(ctx), query(ctx, "library_id"), query(ctx, "status"),
      query(ctx, "task_type"), Replies.integer(ctx, "limit", 50)));
  }

  void getTask(RoutingContext ctx) {
    Replies.answer(ctx, 200, tasks.getTask(caller(ctx), path(ctx, "task_id")));
  }

  void listTasksForAsset(RoutingContext ctx) {
    Replies.answer(ctx, 200, tasks.listTasksForAsset(caller(ctx), path(ctx, "asset_id")));
  }
}

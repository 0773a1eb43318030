package org.eucalypt.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.id.Ids;
import org.eucalypt.stack.StackFilter;
import org.eucalypt.stack.StackService;

import java.util.LinkedHashSet;
import java.util.List;

import static org.eucalypt.http.Replies.answer;
import static org.eucalypt.http.Replies.caller;
import static org.eucalypt.http.Replies.path;
import static org.eucalypt.http.Replies.query;

/** The stack operations, named after their operationIds in openapi.yaml. */
final class StackHandlers {
  private static final int MAX_IDS = 200;

  private final StackService stacks;

  StackHandlers(StackService stacks) {
    this.stacks = stacks;
  }

  void createStack(RoutingContext ctx) {
    JsonObject body = Replies.body(ctx);
    List<String> ids = assetIds(body);
    // The schema asks for two items; Gumnut asks for two distinct ones.
    if (new LinkedHashSet<>(ids).size() < 2) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.bodyLoc("asset_ids"),
        "A stack needs at least 2 distinct asset ids", "too_short", body.getValue("asset_ids")));
    }
    String primary = body.getString("primary_asset_id");
    if (primary != null && !ids.contains(primary)) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.bodyLoc("primary_asset_id"),
        "primary_asset_id must be one of asset_ids", "value_error", primary));
    }
    answer(ctx, 201, stacks.createStack(caller(ctx), body.getString("library_id"), ids, primary));
  }

  void listStacks(RoutingContext ctx) {
    List<String> ids = Replies.list(ctx, "ids");
    if (ids != null && ids.size() > MAX_IDS) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("ids"),
        "List should have at most " + MAX_IDS + " items", "too_long", null));
    }
    String cursor = query(ctx, "starting_after_id");
    if (cursor != null && Ids.STACK.parse(cursor).isEmpty()) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("starting_after_id"), "Invalid stack id",
        "value_error", cursor));
    }
    answer(ctx, 200, stacks.listStacks(caller(ctx), new StackFilter(query(ctx, "library_id"), ids, query(ctx, "origin"),
      query(ctx, "primary_asset_id"), cursor, Replies.integer(ctx, "limit", 20))));
  }

  void getStack(RoutingContext ctx) {
    answer(ctx, 200, stacks.getStack(caller(ctx), path(ctx, "stack_id")));
  }

  void setCover(RoutingContext ctx) {
    answer(ctx, 200, stacks.setCover(caller(ctx), path(ctx, "stack_id"), Replies.body(ctx).getString("primary_asset_id")));
  }

  void deleteStack(RoutingContext ctx) {
    answer(ctx, 200, stacks.deleteStack(caller(ctx), path(ctx, "stack_id")));
  }

  void addAssetsToStack(RoutingContext ctx) {
    answer(ctx, 200, stacks.addAssetsToStack(caller(ctx), path(ctx, "stack_id"), assetIds(Replies.body(ctx))));
  }

  void removeAssetsFromStack(RoutingContext ctx) {
    answer(ctx, 200, stacks.removeAssetsFromStack(caller(ctx), path(ctx, "stack_id"), assetIds(Replies.body(ctx))));
  }

  private static List<String> assetIds(JsonObject body) {
    JsonArray ids = body.getJsonArray("asset_ids");
    return ids.stream().map(String::valueOf).toList();
  }
}

package org.eucalypt.http;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.id.Ids;
import org.eucalypt.library.LibraryVerticle;

import java.util.Optional;
import java.util.UUID;

/** The library operations, named after their operationIds in openapi.yaml. */
final class LibraryHandlers {
  private final EventBus bus;

  LibraryHandlers(EventBus bus) {
    this.bus = bus;
  }

  void createLibrary(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    Replies.ask(bus, ctx, LibraryVerticle.CREATE, new JsonObject()
        .put("name", body.getString("name"))
        .put("description", body.getString("description"))
        .put("storage_limit_bytes", body.getLong("storage_limit_bytes")))
      .onSuccess(lib -> Replies.json(ctx, 201, lib))
      .onFailure(ctx::fail);
  }

  void listLibraries(RoutingContext ctx) {
    String state = Optional.ofNullable(Replies.query(ctx, "state")).orElse("live");
    Replies.ask(bus, ctx, LibraryVerticle.LIST, new JsonObject().put("state", state))
      .onSuccess(list -> Replies.json(ctx, 200, list))
      .onFailure(ctx::fail);
  }

  void getLibrary(RoutingContext ctx) {
    onLibrary(ctx, LibraryVerticle.GET, new JsonObject());
  }

  void updateLibrary(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject changes = new JsonObject();
    // Only the fields present change; an explicit null clears the description.
    for (String field : new String[] {"name", "description", "storage_limit_bytes"}) {
      if (body.containsKey(field)) {
        changes.put(field, body.getValue(field));
      }
    }
    onLibrary(ctx, LibraryVerticle.UPDATE, new JsonObject().put("changes", changes));
  }

  void trashLibrary(RoutingContext ctx) {
    onLibrary(ctx, LibraryVerticle.TRASH, new JsonObject());
  }

  void restoreLibrary(RoutingContext ctx) {
    onLibrary(ctx, LibraryVerticle.RESTORE, new JsonObject());
  }

  void deleteLibrary(RoutingContext ctx) {
    onLibrary(ctx, LibraryVerticle.DELETE, new JsonObject());
  }

  /** A malformed or foreign id answers 404 without a trip to the database. */
  private void onLibrary(RoutingContext ctx, String address, JsonObject request) {
    Optional<UUID> id = Ids.LIBRARY.parse(Replies.path(ctx, "library_id"));
    if (id.isEmpty()) {
      Problems.send(ctx, 404, "Not found");
      return;
    }
    Replies.ask(bus, ctx, address, request.put("library_id", id.get().toString()))
      .onSuccess(answer -> Replies.json(ctx, 200, answer))
      .onFailure(ctx::fail);
  }
}

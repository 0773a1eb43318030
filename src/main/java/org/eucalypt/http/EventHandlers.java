package org.eucalypt.http;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.event.EventVerticle;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The change feed, named after its operationId in openapi.yaml. */
final class EventHandlers {
  /** What Gumnut's feed can name; eucalypt records library and asset events. */
  private static final Set<String> ENTITY_TYPES =
    Set.of("library", "asset", "album", "person", "face", "album_asset", "metadata", "stack");

  private final EventBus bus;

  EventHandlers(EventBus bus) {
    this.bus = bus;
  }

  void getEvents(RoutingContext ctx) {
    JsonObject request = new JsonObject();
    String library = Replies.query(ctx, "library_id");
    if (library != null) {
      Optional<UUID> id = Ids.LIBRARY.parse(library);
      if (id.isEmpty()) {
        Problems.send(ctx, 404, "Not found");
        return;
      }
      request.put("library_id", id.get().toString());
    }
    String cursor = Replies.query(ctx, "after_cursor");
    if (cursor != null) {
      request.put("after_cursor", cursor);
    }
    String limit = Replies.query(ctx, "limit");
    if (limit != null) {
      request.put("limit", Integer.parseInt(limit));
    }
    for (String name : new String[] {"created_at_gte", "created_at_lt"}) {
      // Read once-decoded: the validated copy is decoded twice, turning an offset's "+" into a space.
      String v = ctx.request().getParam(name);
      if (v != null) {
        OffsetDateTime t = AssetHandlers.parseTime(v);
        if (t == null) {
          Problems.unprocessable(ctx, Problems.invalid(new JsonArray().add("query").add(name),
            "Input should be a valid datetime", "datetime_from_date_parsing", v));
          return;
        }
        request.put(name, t.toString());
      }
    }
    List<String> types = AssetHandlers.listParam(ctx, "entity_types");
    if (types != null) {
      for (String t : types) {
        if (!ENTITY_TYPES.contains(t)) {
          Problems.unprocessable(ctx, Problems.invalid(new JsonArray().add("query").add("entity_types"),
            "Input should be one of " + String.join(", ", ENTITY_TYPES.stream().sorted().toList()), "enum", t));
          return;
        }
      }
      request.put("entity_types", new JsonArray(List.copyOf(types)));
    }
    Replies.ask(bus, ctx, EventVerticle.FEED, request)
      .onSuccess(page -> Replies.json(ctx, 200, page))
      .onFailure(ctx::fail);
  }
}

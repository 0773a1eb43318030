package org.eucalypt.http;

import io.vertx.ext.web.RoutingContext;
import org.eucalypt.event.EventQuery;
import org.eucalypt.event.EventService;

import java.util.List;
import java.util.Set;

import static org.eucalypt.http.Replies.query;

/** The change feed, named after its operationId in openapi.yaml. */
final class EventHandlers {
  /** What Gumnut's feed can name; eucalypt records library, asset, album and album_asset events. */
  private static final Set<String> ENTITY_TYPES =
    Set.of("library", "asset", "album", "person", "face", "album_asset", "metadata", "stack");

  private final EventService events;

  EventHandlers(EventService events) {
    this.events = events;
  }

  void getEvents(RoutingContext ctx) {
    List<String> types = Replies.list(ctx, "entity_types");
    if (types != null) {
      for (String t : types) {
        if (!ENTITY_TYPES.contains(t)) {
          throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("entity_types"),
            "Input should be one of " + String.join(", ", ENTITY_TYPES.stream().sorted().toList()), "enum", t));
        }
      }
    }
    EventQuery q = new EventQuery(query(ctx, "library_id"), query(ctx, "after_cursor"),
      Replies.time(ctx, "created_at_gte"), Replies.time(ctx, "created_at_lt"), types, Replies.integer(ctx, "limit", 20));
    Replies.answer(ctx, 200, events.getEvents(Replies.caller(ctx), q));
  }
}

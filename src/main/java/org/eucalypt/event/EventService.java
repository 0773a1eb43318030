package org.eucalypt.event;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import org.eucalypt.bus.JsonPage;
import org.eucalypt.auth.Caller;

/**
 * The change feed ({@code get_events}): a library's events in commit order, paged by cursor.
 * A library's events outlive its row, so a purged library's feed can still be read to its end.
 */
@ProxyGen
@VertxGen
public interface EventService {
  String ADDRESS = "eucalypt.service.events";

  Future<JsonPage> getEvents(Caller caller, EventQuery query);
}

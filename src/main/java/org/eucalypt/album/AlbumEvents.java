package org.eucalypt.album;

import io.vertx.core.json.JsonObject;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Gumnut's album events: {@code album_created/updated/deleted} on the album ({@code album_updated}
 * with the album's cover as of the change in its payload, as Gumnut's clients read it), and
 * {@code album_asset_added/removed} on the membership ({@code album_asset_...}) with payload
 * {@code {album_id, asset_id}}. An album deleted takes its memberships without an event each:
 * its {@code album_deleted} says they are gone.
 */
final class AlbumEvents {
  private AlbumEvents() {
  }

  static Event album(UUID user, UUID library, UUID album, String type, OffsetDateTime at) {
    return new Event(user, library, "album", Ids.ALBUM.format(album), type, new JsonObject(), at);
  }

  /** {@code album_updated}, with the cover the album shows after the change (null: none). */
  static Event updated(UUID user, UUID library, UUID album, String cover, OffsetDateTime at) {
    return new Event(user, library, "album", Ids.ALBUM.format(album), "album_updated",
      new JsonObject().put("album_cover_asset_id", cover), at);
  }

  static Event membership(UUID user, UUID library, UUID link, UUID album, UUID asset, String type, OffsetDateTime at) {
    return new Event(user, library, "album_asset", Ids.ALBUM_ASSET.format(link), type, new JsonObject()
      .put("album_id", Ids.ALBUM.format(album))
      .put("asset_id", Ids.ASSET.format(asset)), at);
  }
}

package org.eucalypt.person;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What other concerns need of faces and people, in their own transactions: removing the faces of
 * assets deleted for good (asset.Purge), the people of a purged library (the drain), and the faces
 * and people of a page of assets ({@code include=faces|people}).
 */
public final class Faces {
  private Faces() {
  }

  /**
   * After asset rows were deleted for good (a permanent delete, empty-trash, the retention purge,
   * a drain batch): their faces go too, each with its {@code face_deleted}, and people whose chosen
   * thumbnail was one of them move on. The faces' foreign key to assets is deferred, so this runs
   * after the asset delete and before the commit checks it.
   */
  public static Future<Void> afterAssetsDeleted(SqlClient tx, UUID user, UUID library, List<UUID> assets,
                                                OffsetDateTime now) {
    if (assets.isEmpty()) {
      return Future.succeededFuture();
    }
    return delete(tx, user, library, PeopleSql.DELETE_FACES_OF_ASSETS, Tuple.of(assets.toArray(UUID[]::new)), now);
  }

  /** Deletes the faces a statement picks ({@code RETURNING id, asset_id, person_id}), with their events. */
  static Future<Void> delete(SqlClient tx, UUID user, UUID library, String sql, Tuple params, OffsetDateTime now) {
    return tx.preparedQuery(sql).execute(params).compose(deleted -> {
      if (deleted.size() == 0) {
        return Future.succeededFuture();
      }
      List<Event> events = new ArrayList<>();
      List<UUID> ids = new ArrayList<>();
      for (Row r : deleted) {
        ids.add(r.getUUID("id"));
        events.add(faceEvent(user, library, r.getUUID("id"), "face_deleted", new JsonObject()
          .put("asset_id", Ids.ASSET.format(r.getUUID("asset_id")))
          .put("person_id", person(r.getUUID("person_id"))), now));
      }
      return tx.preparedQuery(PeopleSql.MOVE_THUMBNAILS).execute(Tuple.of(ids.toArray(UUID[]::new), now))
        .compose(moved -> {
          for (Row r : moved) {
            UUID face = r.getUUID("thumbnail_face_id");
            events.add(personEvent(user, library, r.getUUID("id"), "person_updated", new JsonObject()
              .put("change", "thumbnail_moved").put("thumbnail_face_id", face == null ? null : Ids.FACE.format(face)), now));
          }
          return Events.recordAll(tx, events);
        });
    });
  }

  /**
   * One batch of a purged library's people, once its assets (and so its faces) are gone. Answers
   * whether none are left, so the library row may go.
   */
  public static Future<Boolean> purgeLibraryPeople(SqlClient tx, UUID user, UUID library, int limit,
                                                   OffsetDateTime now) {
    return tx.preparedQuery(PeopleSql.DELETE_LIBRARY_PEOPLE).execute(Tuple.of(library, limit)).compose(deleted -> {
      List<Event> events = new ArrayList<>();
      deleted.forEach(r -> events.add(personEvent(user, library, r.getUUID("id"), "person_deleted", new JsonObject(), now)));
      return Events.recordAll(tx, events).map(deleted.size() < limit);
    });
  }

  /** The faces of these assets, by asset id ({@code include=faces}); an asset without any maps to nothing. */
  public static Future<Map<String, JsonArray>> ofAssets(SqlClient client, UUID[] assets) {
    return client.preparedQuery(PeopleSql.FACES_OF_ASSETS).execute(Tuple.of((Object) assets)).map(rows -> {
      Map<String, JsonArray> out = new HashMap<>();
      rows.forEach(r -> out.computeIfAbsent(Ids.ASSET.format(r.getUUID("asset_id")), k -> new JsonArray())
        .add(Face.of(r).toJson()));
      return out;
    });
  }

  /** The distinct people of these assets' faces, by asset id ({@code include=people}). */
  public static Future<Map<String, JsonArray>> peopleOfAssets(SqlClient client, UUID[] assets) {
    return client.preparedQuery(PeopleSql.PEOPLE_OF_ASSETS).execute(Tuple.of((Object) assets)).map(rows -> {
      Map<String, JsonArray> out = new HashMap<>();
      rows.forEach(r -> out.computeIfAbsent(Ids.ASSET.format(r.getUUID("of_asset")), k -> new JsonArray())
        .add(Person.of(r).toJson()));
      return out;
    });
  }

  static Event faceEvent(UUID user, UUID library, UUID face, String type, JsonObject payload, OffsetDateTime now) {
    return new Event(user, library, "face", Ids.FACE.format(face), type, payload, now);
  }

  static Event personEvent(UUID user, UUID library, UUID person, String type, JsonObject payload, OffsetDateTime now) {
    return new Event(user, library, "person", Ids.PERSON.format(person), type, payload, now);
  }

  static String person(UUID id) {
    return id == null ? null : Ids.PERSON.format(id);
  }
}

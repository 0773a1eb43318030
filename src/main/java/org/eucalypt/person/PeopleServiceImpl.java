package org.eucalypt.person;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eucalypt.asset.AssetServiceImpl;
import org.eucalypt.auth.Caller;
import org.eucalypt.bus.DomainException;
import org.eucalypt.config.Settings;
import org.eucalypt.db.Database;
import org.eucalypt.db.Pages;
import org.eucalypt.db.Reads;
import org.eucalypt.event.Events;
import org.eucalypt.event.Events.Event;
import org.eucalypt.id.Ids;

import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@link PeopleService} on PostgreSQL. Reads go through the pipelined client; every change is one
 * transaction whose first statement share-locks its library's row (a drain batch or a permanent
 * asset delete, which lock it exclusively, wait for it or it for them), then locks the rows it
 * changes: people in id order, then faces.
 */
public final class PeopleServiceImpl implements PeopleService {
  private static final UUID NONE = new UUID(0, 0);

  private final Clock clock;
  private final Pool pool;
  private final Reads reads;

  public PeopleServiceImpl(Vertx vertx, Settings settings, Clock clock) {
    this.clock = clock;
    this.pool = Database.pool(vertx, settings);
    this.reads = Database.reads(vertx, settings);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }

  // ================================================================ people

  @Override
  public Future<Person> getPerson(Caller caller, String personId) {
    UUID id = Ids.PERSON.parse(personId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(PeopleSql.GET_PERSON).execute(Tuple.of(id, caller.userId())))
      .compose(rows -> inScope(caller, rows)).map(Person::of);
  }

  @Override
  public Future<PersonPage> listPeople(Caller caller, PersonFilter filter) {
    int limit = filter.limit();
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, filter.libraryId())).compose(library -> {
      List<Object> params = new ArrayList<>(List.of(library));
      StringBuilder where = new StringBuilder("p.library_id = $1");
      if (filter.ids() != null) {
        // An id that cannot exist matches nothing, like one that does not.
        params.add(filter.ids().stream().flatMap(i -> Ids.PERSON.parse(i).stream()).toArray(UUID[]::new));
        where.append(" AND p.id = ANY($").append(params.size()).append(")");
      }
      if (filter.assetId() != null) {
        params.add(Ids.ASSET.parse(filter.assetId()).orElse(NONE));
        where.append(" AND EXISTS (SELECT 1 FROM faces af JOIN assets aa ON aa.id = af.asset_id AND aa.trashed_at IS NULL")
          .append(" WHERE af.person_id = p.id AND af.asset_id = $").append(params.size()).append(")");
      }
      if (filter.albumId() != null) {
        // Who is in this album: a face on one of its live assets.
        params.add(Ids.ALBUM.parse(filter.albumId()).orElse(NONE));
        where.append(" AND EXISTS (SELECT 1 FROM faces af JOIN album_assets am ON am.asset_id = af.asset_id")
          .append(" JOIN assets aa ON aa.id = af.asset_id AND aa.trashed_at IS NULL")
          .append(" WHERE af.person_id = p.id AND am.album_id = $").append(params.size()).append(")");
      }
      if (filter.name() != null) {
        params.add("%" + filter.name().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        where.append(" AND p.name ILIKE $").append(params.size());
      }
      switch (filter.nameFilter()) {
        case "named" -> where.append(" AND p.name IS NOT NULL");
        case "unnamed" -> where.append(" AND p.name IS NULL");
        default -> { }
      }
      // Sorting by a computed count or by name cannot be a plain keyset: the page is cut by the
      // cursor's position in the ordered list (a library holds people by the thousand, not million).
      String order = switch (filter.sort()) {
        case "created_at_asc" -> "created_at, id";
        // Case-insensitive, whatever the database's collation; unnamed people last either way.
        case "name_asc" -> "name IS NULL, lower(name), name, id";
        case "name_desc" -> "name IS NULL, lower(name) DESC, name DESC, id DESC";
        case "asset_count_desc" -> "asset_count DESC, created_at DESC, id DESC";
        case "asset_count_asc" -> "asset_count, created_at, id";
        default -> "created_at DESC, id DESC";
      };
      String after = "0";
      if (filter.startingAfterId() != null) {
        // A cursor no longer in the list matches nothing: an empty page, not the first one again.
        params.add(Ids.PERSON.parse(filter.startingAfterId()).orElse(NONE));
        after = "(SELECT n FROM o WHERE id = $" + params.size() + ")";
      }
      params.add(Pages.fetch(limit));
      String sql = "WITH p AS (SELECT " + PeopleSql.PERSON_COLUMNS + " FROM people p WHERE " + where + "),"
        + " o AS (SELECT p.*, row_number() OVER (ORDER BY " + order + ") AS n FROM p)"
        + " SELECT * FROM o WHERE n > " + after + " ORDER BY n LIMIT $" + params.size();
      return reads.run(c -> c.preparedQuery(sql).execute(Tuple.from(params)));
    }).map(rows -> new PersonPage(Pages.items(rows, limit, Person::of), Pages.hasMore(rows, limit)));
  }

  @Override
  public Future<Person> createPerson(Caller caller, String libraryId, PersonChanges fields) {
    UUID user = caller.userId();
    UUID person = Ids.newUuid();
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, libraryId)).compose(library ->
      change(tx -> lock(tx, PeopleSql.LOCK_LIBRARY, Tuple.of(library, user), caller)
        .compose(v -> thumbnailOf(tx, library, fields))
        .compose(thumbnail -> {
          OffsetDateTime now = now();
          return tx.preparedQuery(PeopleSql.INSERT_PERSON).execute(Tuple.of(person, library, fields.string("name"),
              birthDate(fields), Boolean.TRUE.equals(fields.flag("is_favorite")),
              Boolean.TRUE.equals(fields.flag("is_hidden")), thumbnail, now))
            .compose(v -> Events.record(tx, Faces.personEvent(user, library, person, "person_created",
              new JsonObject().put("name", fields.string("name")), now)))
            .compose(v -> readPerson(tx, person, user));
        })));
  }

  @Override
  public Future<Person> updatePerson(Caller caller, String personId, PersonChanges changes) {
    UUID person = Ids.PERSON.parse(personId).orElse(null);
    if (person == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID user = caller.userId();
    return change(tx -> lock(tx, PeopleSql.LOCK_LIBRARY_OF_PERSON, Tuple.of(person, user), caller)
      .compose(library -> lockPeople(tx, library, List.of(person))
        .compose(v -> thumbnailOf(tx, library, changes))
        .compose(thumbnail -> {
          OffsetDateTime now = now();
          List<Object> params = new ArrayList<>(List.of(person, now));
          StringBuilder set = new StringBuilder("updated_at = $2");
          JsonObject changed = new JsonObject();
          for (String field : List.of("name", "birth_date", "is_favorite", "is_hidden", "thumbnail_face_id")) {
            if (!changes.has(field)) {
              continue;
            }
            Object value = switch (field) {
              case "birth_date" -> birthDate(changes);
              case "thumbnail_face_id" -> thumbnail;
              case "is_favorite", "is_hidden" -> changes.flag(field);
              default -> changes.string(field);
            };
            if (value == null && field.startsWith("is_")) {
              continue; // no such state as a null flag: left as it is
            }
            params.add(value);
            set.append(", ").append(field).append(" = $").append(params.size());
            changed.put(field, changes.toJson().getValue(field));
          }
          if (changed.isEmpty()) {
            return readPerson(tx, person, user); // nothing given: nothing changes, no event
          }
          return tx.preparedQuery("UPDATE people SET " + set + " WHERE id = $1").execute(Tuple.from(params))
            .compose(v -> Events.record(tx, Faces.personEvent(user, library, person, "person_updated", changed, now)))
            .compose(v -> readPerson(tx, person, user));
        })));
  }

  @Override
  public Future<Void> deletePerson(Caller caller, String personId) {
    UUID person = Ids.PERSON.parse(personId).orElse(null);
    if (person == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID user = caller.userId();
    return change(tx -> lock(tx, PeopleSql.LOCK_LIBRARY_OF_PERSON, Tuple.of(person, user), caller)
      .compose(library -> lockPeople(tx, library, List.of(person)).compose(v -> {
        OffsetDateTime now = now();
        List<Event> events = new ArrayList<>();
        return moveFaces(tx, user, library, new UUID[] {person}, null, now, events)
          .compose(v2 -> tx.preparedQuery(PeopleSql.DELETE_PEOPLE).execute(Tuple.of((Object) new UUID[] {person})))
          .compose(v2 -> {
            events.add(Faces.personEvent(user, library, person, "person_deleted", new JsonObject(), now));
            return Events.recordAll(tx, events);
          });
      })));
  }

  @Override
  public Future<Person> mergePeople(Caller caller, String personId, List<String> sourcePersonIds) {
    UUID person = Ids.PERSON.parse(personId).orElse(null);
    if (person == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    List<UUID> sources = new ArrayList<>();
    for (String s : sourcePersonIds) {
      UUID id = Ids.PERSON.parse(s).orElse(null);
      if (id == null) {
        return Future.failedFuture(DomainException.notFound());
      }
      if (id.equals(person)) {
        return Future.failedFuture(DomainException.badRequest("A person cannot be merged into itself"));
      }
      if (!sources.contains(id)) {
        sources.add(id);
      }
    }
    UUID user = caller.userId();
    List<UUID> all = new ArrayList<>(sources);
    all.add(person);
    return change(tx -> lock(tx, PeopleSql.LOCK_LIBRARY_OF_PERSON, Tuple.of(person, user), caller)
      .compose(library -> lockPeople(tx, library, all).compose(v -> {
        OffsetDateTime now = now();
        List<Event> events = new ArrayList<>();
        UUID[] from = sources.toArray(UUID[]::new);
        return moveFaces(tx, user, library, from, person, now, events)
          .compose(moved -> tx.preparedQuery(PeopleSql.DELETE_PEOPLE).execute(Tuple.of((Object) from))
            .compose(v2 -> tx.preparedQuery(PeopleSql.TOUCH_PERSON).execute(Tuple.of(person, now)))
            .compose(v2 -> {
              JsonArray merged = new JsonArray();
              sources.forEach(s -> {
                merged.add(Ids.PERSON.format(s));
                events.add(Faces.personEvent(user, library, s, "person_deleted",
                  new JsonObject().put("merged_into", Ids.PERSON.format(person)), now));
              });
              events.add(Faces.personEvent(user, library, person, "person_updated", new JsonObject()
                .put("change", "merged").put("source_person_ids", merged).put("faces_moved", moved), now));
              return Events.recordAll(tx, events);
            }))
          .compose(v2 -> readPerson(tx, person, user));
      })));
  }

  // ================================================================ faces

  @Override
  public Future<Face> getFace(Caller caller, String faceId, String libraryId) {
    UUID id = Ids.FACE.parse(faceId).orElse(null);
    if (id == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    return reads.run(c -> c.preparedQuery(PeopleSql.GET_FACE).execute(Tuple.of(id, caller.userId())))
      .compose(rows -> inScope(caller, rows))
      .compose(row -> inLibrary(row, libraryId)).map(Face::of);
  }

  @Override
  public Future<FacePage> listFaces(Caller caller, FaceFilter filter) {
    int limit = filter.limit();
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, filter.libraryId())).compose(library -> {
      List<Object> params = new ArrayList<>(List.of(library));
      StringBuilder sql = new StringBuilder("SELECT " + PeopleSql.FACE_COLUMNS + " FROM faces f WHERE f.library_id = $1");
      if (filter.assetId() != null) {
        // The faces of one named asset, in the trash or not, as get_asset answers either.
        params.add(Ids.ASSET.parse(filter.assetId()).orElse(NONE));
        sql.append(" AND f.asset_id = $").append(params.size());
      } else {
        sql.append(" AND EXISTS (SELECT 1 FROM assets a WHERE a.id = f.asset_id AND a.trashed_at IS NULL)");
      }
      if (filter.ids() != null) {
        params.add(filter.ids().stream().flatMap(i -> Ids.FACE.parse(i).stream()).toArray(UUID[]::new));
        sql.append(" AND f.id = ANY($").append(params.size()).append(")");
      }
      if (filter.personId() != null) {
        params.add(Ids.PERSON.parse(filter.personId()).orElse(NONE));
        sql.append(" AND f.person_id = $").append(params.size());
      }
      if (filter.startingAfterId() != null) {
        // Newest first; the cursor's own (created_at, id) is where the next page starts.
        params.add(Ids.FACE.parse(filter.startingAfterId()).orElse(NONE));
        sql.append(" AND (f.created_at, f.id) < (SELECT c.created_at, c.id FROM faces c WHERE c.id = $")
          .append(params.size()).append(" AND c.library_id = $1)");
      }
      params.add(Pages.fetch(limit));
      sql.append(" ORDER BY f.created_at DESC, f.id DESC LIMIT $").append(params.size());
      return reads.run(c -> c.preparedQuery(sql.toString()).execute(Tuple.from(params)));
    }).map(rows -> new FacePage(Pages.items(rows, limit, Face::of), Pages.hasMore(rows, limit)));
  }

  @Override
  public Future<Face> createFace(Caller caller, String libraryId, String assetId, int x, int y, int w, int h,
                                 String personId) {
    UUID asset = Ids.ASSET.parse(assetId).orElse(null);
    UUID person = personId == null ? null : Ids.PERSON.parse(personId).orElse(NONE);
    if (asset == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID user = caller.userId();
    UUID face = Ids.newUuid();
    return reads.run(c -> AssetServiceImpl.resolveLibrary(c, caller, libraryId)).compose(library ->
      change(tx -> lock(tx, PeopleSql.LOCK_LIBRARY, Tuple.of(library, user), caller)
        .compose(v -> tx.preparedQuery(PeopleSql.ASSET_FOR_FACE).execute(Tuple.of(asset, library)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(DomainException.notFound());
          }
          Row a = rows.iterator().next();
          if (a.getOffsetDateTime("trashed_at") != null) {
            return Future.failedFuture(DomainException.badRequest(
              "Asset " + assetId + " is in the trash; restore it before drawing faces on it"));
          }
          String misfit = misfit(assetId, a.getInteger("width"), a.getInteger("height"), x, y, w, h);
          return misfit != null ? Future.failedFuture(DomainException.invalid(misfit)) : personOf(tx, library, person);
        })
        .compose(v -> {
          OffsetDateTime now = now();
          return tx.preparedQuery(PeopleSql.INSERT_FACE).execute(Tuple.tuple().addValue(face).addValue(library)
              .addValue(asset).addValue(person).addValue(x).addValue(y).addValue(w).addValue(h).addValue(now))
            .compose(i -> Events.record(tx, Faces.faceEvent(user, library, face, "face_created", new JsonObject()
              .put("asset_id", Ids.ASSET.format(asset)).put("person_id", Faces.person(person)), now)))
            .compose(i -> readFace(tx, face, user));
        })));
  }

  @Override
  public Future<Face> updateFace(Caller caller, String faceId, String libraryId, String personId) {
    UUID face = Ids.FACE.parse(faceId).orElse(null);
    UUID person = personId == null ? null : Ids.PERSON.parse(personId).orElse(NONE);
    if (face == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID user = caller.userId();
    return change(tx -> lock(tx, PeopleSql.LOCK_LIBRARY_OF_FACE, Tuple.of(face, user), caller)
      .compose(library -> inLibrary(library, libraryId)
        .compose(v -> personOf(tx, library, person))
        .compose(v -> tx.preparedQuery(PeopleSql.LOCK_FACE).execute(Tuple.of(face, library)))
        .compose(rows -> {
          UUID before = rows.iterator().next().getUUID("person_id");
          if (java.util.Objects.equals(before, person)) {
            return readFace(tx, face, user); // nothing changes: no event
          }
          OffsetDateTime now = now();
          return tx.preparedQuery(PeopleSql.ASSIGN_FACE).execute(Tuple.of(face, person, now))
            .compose(v -> Events.record(tx, Faces.faceEvent(user, library, face, "face_updated", new JsonObject()
              .put("person_id", Faces.person(person)).put("previous_person_id", Faces.person(before)), now)))
            .compose(v -> readFace(tx, face, user));
        })));
  }

  @Override
  public Future<Void> deleteFace(Caller caller, String faceId, String libraryId) {
    UUID face = Ids.FACE.parse(faceId).orElse(null);
    if (face == null) {
      return Future.failedFuture(DomainException.notFound());
    }
    UUID user = caller.userId();
    return change(tx -> lock(tx, PeopleSql.LOCK_LIBRARY_OF_FACE, Tuple.of(face, user), caller)
      .compose(library -> inLibrary(library, libraryId)
        .compose(v -> tx.preparedQuery(PeopleSql.LOCK_PEOPLE_OF_FACE).execute(Tuple.of(face)))
        .compose(v -> Faces.delete(tx, user, library, PeopleSql.DELETE_FACE, Tuple.of(face), now()))));
  }

  // ================================================================ helpers

  /**
   * Why a box does not fit the asset, or null if it does. The box is in display-space pixels of
   * the asset's reported width and height, so an asset whose size is unknown takes no box.
   */
  static String misfit(String assetId, Integer width, Integer height, int x, int y, int w, int h) {
    if (width == null || height == null) {
      return "Asset " + assetId + " has no known width and height, so a face box cannot be placed on it";
    }
    if ((long) x + w > width || (long) y + h > height) {
      return "The face box (x=" + x + ", y=" + y + ", w=" + w + ", h=" + h + ") does not fit inside the asset's "
        + width + "x" + height + " pixels: x + w must be at most the width and y + h at most the height";
    }
    return null;
  }

  /**
   * Moves every face of {@code from} to {@code to} (null: detaches them), appending a
   * {@code face_updated} for each. Answers how many moved.
   */
  private static Future<Integer> moveFaces(SqlConnection tx, UUID user, UUID library, UUID[] from, UUID to,
                                           OffsetDateTime now, List<Event> events) {
    return tx.preparedQuery(PeopleSql.FACES_OF_PEOPLE).execute(Tuple.of((Object) from))
      .compose(locked -> tx.preparedQuery(PeopleSql.MOVE_FACES).execute(Tuple.of(from, to, now)))
      .map(moved -> {
        for (Row r : moved) {
          events.add(Faces.faceEvent(user, library, r.getUUID("id"), "face_updated", new JsonObject()
            .put("person_id", Faces.person(to)), now));
        }
        return moved.size();
      });
  }

  /** The thumbnail a create or update names: a face of the library, or 404. Null when not given or cleared. */
  private static Future<UUID> thumbnailOf(SqlConnection tx, UUID library, PersonChanges fields) {
    String given = fields.string("thumbnail_face_id");
    if (given == null) {
      return Future.succeededFuture(null);
    }
    UUID face = Ids.FACE.parse(given).orElse(NONE);
    return tx.preparedQuery(PeopleSql.FACE_OF_LIBRARY).execute(Tuple.of(face, library))
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound()) : Future.succeededFuture(face));
  }

  /** A person a face is assigned to must be of the face's library; null assigns none. */
  private static Future<Void> personOf(SqlConnection tx, UUID library, UUID person) {
    if (person == null) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(PeopleSql.LOCK_PEOPLE).execute(Tuple.of(library, (Object) new UUID[] {person}))
      .compose(rows -> rows.size() == 0 ? Future.failedFuture(DomainException.notFound()) : Future.succeededFuture());
  }

  /** Locks these people of the library; every one must exist there, else NOT_FOUND and nothing changes. */
  private static Future<Void> lockPeople(SqlConnection tx, UUID library, List<UUID> people) {
    return tx.preparedQuery(PeopleSql.LOCK_PEOPLE).execute(Tuple.of(library, (Object) people.toArray(UUID[]::new)))
      .compose(rows -> rows.size() == people.size() ? Future.succeededFuture()
        : Future.failedFuture(DomainException.notFound()));
  }

  private static LocalDate birthDate(PersonChanges fields) {
    String d = fields.string("birth_date");
    return d == null ? null : LocalDate.parse(d);
  }

  /**
   * One change, in one transaction. Changes lock people before faces, each in id order, so they
   * should not deadlock; if PostgreSQL still reports one (or a serialization failure), the whole
   * transaction rolled back and the caller may retry unchanged: CONFLICT, as Gumnut answers a
   * colliding change.
   */
  private <T> Future<T> change(Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work).recover(e -> Future.failedFuture(
      Database.lostRace(e)
        ? DomainException.raceLost("A concurrent change to these people or faces came first; nothing was changed,"
          + " retry the request")
        : e));
  }

  /** The first statement of a change: the caller's live library in the key's scope, share-locked. */
  private static Future<UUID> lock(SqlConnection tx, String sql, Tuple params, Caller caller) {
    return tx.preparedQuery(sql).execute(params).compose(rows -> {
      if (rows.size() == 0 || !caller.reaches(rows.iterator().next().getUUID("id"))) {
        return Future.failedFuture(DomainException.notFound());
      }
      return Future.succeededFuture(rows.iterator().next().getUUID("id"));
    });
  }

  /** A {@code library_id} given with a face must be the face's own. */
  private static Future<UUID> inLibrary(UUID library, String libraryId) {
    if (libraryId != null && !Ids.LIBRARY.parse(libraryId).map(library::equals).orElse(false)) {
      return Future.failedFuture(DomainException.notFound());
    }
    return Future.succeededFuture(library);
  }

  private static Future<Row> inLibrary(Row row, String libraryId) {
    return inLibrary(row.getUUID("library_id"), libraryId).map(row);
  }

  private static Future<Person> readPerson(SqlConnection tx, UUID person, UUID user) {
    return tx.preparedQuery(PeopleSql.GET_PERSON).execute(Tuple.of(person, user)).map(rows -> Person.of(rows.iterator().next()));
  }

  private static Future<Face> readFace(SqlConnection tx, UUID face, UUID user) {
    return tx.preparedQuery(PeopleSql.GET_FACE).execute(Tuple.of(face, user)).map(rows -> Face.of(rows.iterator().next()));
  }

  /** A row found by id is visible only if its library is in the key's scope. */
  private static Future<Row> inScope(Caller caller, RowSet<Row> rows) {
    if (rows.size() == 0 || !caller.reaches(rows.iterator().next().getUUID("library_id"))) {
      return Future.failedFuture(DomainException.notFound());
    }
    return Future.succeededFuture(rows.iterator().next());
  }
}

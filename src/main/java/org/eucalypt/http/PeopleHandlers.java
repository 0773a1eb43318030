package org.eucalypt.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.bus.DomainException;
import org.eucalypt.id.Ids;
import org.eucalypt.person.FaceFilter;
import org.eucalypt.person.PeopleService;
import org.eucalypt.person.PersonChanges;
import org.eucalypt.person.PersonFilter;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

import static org.eucalypt.http.Replies.answer;
import static org.eucalypt.http.Replies.caller;
import static org.eucalypt.http.Replies.path;
import static org.eucalypt.http.Replies.query;

/** The people and face operations, named after their operationIds in openapi.yaml. */
final class PeopleHandlers {
  private static final int MAX_IDS = 200;
  private static final List<String> PERSON_PARTS = List.of("cluster_metrics");
  private static final List<String> FACE_PARTS = List.of("cluster_assignment");

  private final PeopleService people;

  PeopleHandlers(PeopleService people) {
    this.people = people;
  }

  // ================================================================ people

  void createPerson(RoutingContext ctx) {
    JsonObject body = Replies.body(ctx);
    answer(ctx, 201, people.createPerson(caller(ctx), body.getString("library_id"), changes(body)));
  }

  void getPerson(RoutingContext ctx) {
    include(ctx, PERSON_PARTS);
    answer(ctx, 200, people.getPerson(caller(ctx), path(ctx, "person_id")));
  }

  void updatePerson(RoutingContext ctx) {
    answer(ctx, 200, people.updatePerson(caller(ctx), path(ctx, "person_id"), changes(Replies.body(ctx))));
  }

  void listPeople(RoutingContext ctx) {
    include(ctx, PERSON_PARTS);
    List<String> ids = ids(ctx);
    String nameFilter = query(ctx, "name_filter");
    if (nameFilter == null) {
      // Gumnut: named people by default, every one when looked up by id.
      nameFilter = ids != null ? "all" : "named";
    }
    String sort = query(ctx, "sort") == null ? "created_at_desc" : query(ctx, "sort");
    if (sort.startsWith("name_") && "unnamed".equals(nameFilter)) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("sort"),
        "Name sorts cannot be combined with name_filter=unnamed", "value_error", sort));
    }
    answer(ctx, 200, people.listPeople(caller(ctx), new PersonFilter(query(ctx, "library_id"), ids,
      query(ctx, "asset_id"), query(ctx, "album_id"), query(ctx, "name"), nameFilter, sort,
      cursor(ctx, Ids.PERSON, "person"), Replies.integer(ctx, "limit", 20))));
  }

  void deletePerson(RoutingContext ctx) {
    answer(ctx, 200, people.deletePerson(caller(ctx), path(ctx, "person_id")));
  }

  void mergePeople(RoutingContext ctx) {
    List<String> sources = Replies.body(ctx).getJsonArray("source_person_ids").stream().map(String::valueOf).toList();
    if (sources.contains(path(ctx, "person_id"))) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.bodyLoc("source_person_ids"),
        "A person cannot be merged into itself", "value_error", path(ctx, "person_id")));
    }
    answer(ctx, 200, people.mergePeople(caller(ctx), path(ctx, "person_id"), sources));
  }

  // ================================================================ faces

  void createFace(RoutingContext ctx) {
    JsonObject body = Replies.body(ctx);
    JsonObject box = body.getJsonObject("bounding_box");
    answer(ctx, 201, people.createFace(caller(ctx), body.getString("library_id"), body.getString("asset_id"),
        box.getInteger("x"), box.getInteger("y"), box.getInteger("w"), box.getInteger("h"), body.getString("person_id"))
      .recover(e -> io.vertx.core.Future.failedFuture(DomainException.kindOf(e) == DomainException.Kind.INVALID
        ? new Replies.InvalidParameter(Problems.invalid(Replies.bodyLoc("bounding_box"), e.getMessage(), "value_error",
          box))
        : e)));
  }

  void getFace(RoutingContext ctx) {
    include(ctx, FACE_PARTS);
    answer(ctx, 200, people.getFace(caller(ctx), path(ctx, "face_id"), query(ctx, "library_id")));
  }

  void updateFace(RoutingContext ctx) {
    JsonObject body = Replies.body(ctx);
    if (!body.containsKey("person_id")) {
      // person_id is the only field that changes; without it there is nothing to do.
      answer(ctx, 200, people.getFace(caller(ctx), path(ctx, "face_id"), query(ctx, "library_id")));
      return;
    }
    answer(ctx, 200, people.updateFace(caller(ctx), path(ctx, "face_id"), query(ctx, "library_id"),
      body.getString("person_id")));
  }

  void listFaces(RoutingContext ctx) {
    include(ctx, FACE_PARTS);
    answer(ctx, 200, people.listFaces(caller(ctx), new FaceFilter(query(ctx, "library_id"), ids(ctx),
      query(ctx, "asset_id"), query(ctx, "person_id"), cursor(ctx, Ids.FACE, "face"), Replies.integer(ctx, "limit", 20))));
  }

  void deleteFace(RoutingContext ctx) {
    answer(ctx, 200, people.deleteFace(caller(ctx), path(ctx, "face_id"), query(ctx, "library_id")));
  }

  // ================================================================ parameters

  /**
   * The fields of a person's body. A birth date must be an ISO date; the cluster expansions are
   * accepted and answer null, since eucalypt clusters nothing.
   */
  private static PersonChanges changes(JsonObject body) {
    String birth = body.getString("birth_date");
    if (birth != null) {
      try {
        LocalDate.parse(birth);
      } catch (DateTimeParseException e) {
        throw new Replies.InvalidParameter(Problems.invalid(Replies.bodyLoc("birth_date"),
          "Input should be a valid date in the format YYYY-MM-DD", "date_from_datetime_parsing", birth));
      }
    }
    return new PersonChanges(body);
  }

  /** The expansions asked for, repeated or comma-separated; an unknown one is a 422. */
  private static void include(RoutingContext ctx, List<String> known) {
    List<String> include = Replies.list(ctx, "include");
    if (include == null) {
      return;
    }
    for (String part : include) {
      if (!known.contains(part)) {
        throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("include"),
          "Input should be " + String.join(", ", known.stream().map(p -> "'" + p + "'").toList()), "enum", part));
      }
    }
  }

  private static List<String> ids(RoutingContext ctx) {
    List<String> ids = Replies.list(ctx, "ids");
    if (ids != null && ids.size() > MAX_IDS) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("ids"),
        "List should have at most " + MAX_IDS + " items", "too_long", null));
    }
    return ids;
  }

  private static String cursor(RoutingContext ctx, Ids kind, String what) {
    String cursor = query(ctx, "starting_after_id");
    if (cursor != null && kind.parse(cursor).isEmpty()) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("starting_after_id"), "Invalid " + what + " id",
        "value_error", cursor));
    }
    return cursor;
  }
}

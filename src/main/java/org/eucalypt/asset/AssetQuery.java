package org.eucalypt.asset;

import io.vertx.sqlclient.Tuple;
import org.eucalypt.id.Ids;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The statements behind {@code GET /api/assets} and {@code GET /api/assets/counts}, built from
 * their filters.
 *
 * <p>Pages follow a keyset: {@code live} and {@code all} by capture time, {@code trashed} by trash
 * time, the id breaking ties, so a page boundary never skips or repeats a row even while assets
 * come and go. The cursor is the last id of the previous page; its sort key is read from its row.
 *
 * <p>Capture time sorts by the wall clock ({@code local_datetime} as stored, whatever its offset),
 * not by instant: it is the value every item shows, so a page reads in order, it is total for naive
 * times (which have no instant), and it is what {@code counts} buckets by, so a month's assets
 * listed between two {@code time_bucket}s come out contiguous. The library's index on
 * {@code (library_id, local_datetime, id)} serves it.
 */
record AssetQuery(String sql, Tuple params) {
  private static final Duration MAX_OFFSET = Duration.ofHours(18);

  static AssetQuery list(UUID library, AssetFilter filter, int fetch) {
    Filters f = filters(library, filter);
    boolean desc = !"asc".equals(filter.order());
    String sortColumn = "trashed".equals(filter.state()) ? "trashed_at" : "local_datetime";
    String dir = desc ? "DESC" : "ASC";
    if (filter.startingAfterId() != null) {
      // A cursor that cannot exist matches no row, so the page is empty (the HTTP layer answers 422 first).
      String p = f.param(Ids.ASSET.parse(filter.startingAfterId()).orElse(new UUID(0, 0)));
      f.where.append(" AND (a.").append(sortColumn).append(", a.id) ").append(desc ? "<" : ">")
        .append(" (SELECT c.").append(sortColumn).append(", c.id FROM assets c WHERE c.id = ").append(p)
        .append(" AND c.library_id = $1)");
    }
    String limit = f.param(fetch);
    return new AssetQuery("SELECT " + AssetSql.COLUMNS + " FROM assets a WHERE " + f.where
      + " ORDER BY a." + sortColumn + " " + dir + ", a.id " + dir + " LIMIT " + limit, Tuple.from(f.params));
  }

  /**
   * Assets per month of the wall clock, newest month first: a photo taken at 23:30 on 30 June in
   * New York is June's. Buckets are naive, so one given back as {@code local_datetime_before} (how
   * the SDK pages) compares by wall clock too and the next page starts exactly at that month.
   */
  static AssetQuery countsByMonth(UUID library, AssetFilter filter, int fetch) {
    Filters f = filters(library, filter);
    String limit = f.param(fetch);
    return new AssetQuery("""
      SELECT date_trunc('month', a.local_datetime) AS time_bucket,
             count(*) AS count
        FROM assets a WHERE\s""" + f.where + " GROUP BY 1 ORDER BY 1 DESC LIMIT " + limit, Tuple.from(f.params));
  }

  /** The conditions both share: the library, the trash state, ids, albums, media type and capture time. */
  private static Filters filters(UUID library, AssetFilter filter) {
    Filters f = new Filters();
    f.where.append("a.library_id = ").append(f.param(library));
    switch (filter.state() == null ? "live" : filter.state()) {
      case "trashed" -> f.where.append(" AND a.trashed_at IS NOT NULL");
      case "all" -> { }
      default -> f.where.append(" AND a.trashed_at IS NULL");
    }
    if (filter.ids() != null) {
      // An id that cannot exist matches nothing, like an id that does not.
      UUID[] uuids = filter.ids().stream().flatMap(i -> Ids.ASSET.parse(i).stream()).toArray(UUID[]::new);
      f.where.append(" AND a.id = ANY(").append(f.param(uuids)).append(")");
    }
    if (filter.stackId() != null) {
      // A stack id that cannot exist matches nothing, like one that does not.
      f.where.append(" AND a.stack_id = ").append(f.param(Ids.STACK.parse(filter.stackId()).orElse(new UUID(0, 0))));
    }
    if (filter.personIds() != null) {
      // Every person named must have a face on the asset; an id that cannot exist matches nothing.
      for (String person : filter.personIds()) {
        f.where.append(" AND EXISTS (SELECT 1 FROM faces pf WHERE pf.asset_id = a.id AND pf.person_id = ")
          .append(f.param(Ids.PERSON.parse(person).orElse(new UUID(0, 0)))).append(")");
      }
    }
    if (filter.albumId() != null) {
      UUID album = Ids.ALBUM.parse(filter.albumId()).orElse(new UUID(0, 0));
      f.where.append(" AND EXISTS (SELECT 1 FROM album_assets m WHERE m.album_id = ").append(f.param(album))
        .append(" AND m.asset_id = a.id)");
    }
    if ("in_album".equals(filter.albumFilter())) {
      f.where.append(" AND EXISTS (SELECT 1 FROM album_assets m WHERE m.asset_id = a.id)");
    } else if ("not_in_album".equals(filter.albumFilter())) {
      f.where.append(" AND NOT EXISTS (SELECT 1 FROM album_assets m WHERE m.asset_id = a.id)");
    }
    String mediaType = filter.mediaType();
    if (mediaType != null) {
      f.where.append(" AND a.mime_type LIKE ").append(f.param(mediaType + "/%"));
    }
    if (filter.localDatetimeAfter() != null) {
      bound(f, ">", WallClock.parse(filter.localDatetimeAfter()));
    }
    if (filter.localDatetimeBefore() != null) {
      bound(f, "<", WallClock.parse(filter.localDatetimeBefore()));
    }
    return f;
  }

  /**
   * Gumnut's rule for a capture-time bound: a naive bound compares with the wall clock; one with
   * an offset compares as an instant with assets whose offset is known, and by its own wall clock
   * with those whose offset is not.
   */
  private static void bound(Filters f, String op, WallClock bound) {
    String wall = f.param(bound.local());
    if (bound.offset() == null) {
      f.where.append(" AND a.local_datetime ").append(op).append(" ").append(wall);
      return;
    }
    LocalDateTime utc = bound.instant().withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    // Offsets lie within ±18 hours (a CHECK on the column), so every match lies within that much of
    // the instant's UTC wall clock: a plain range on local_datetime that lets the index seek.
    LocalDateTime widened = ">".equals(op) ? utc.minus(MAX_OFFSET) : utc.plus(MAX_OFFSET);
    f.where.append(" AND a.local_datetime ").append(op).append(" ").append(f.param(widened))
      .append(" AND CASE WHEN a.local_offset_seconds IS NULL THEN a.local_datetime ").append(op).append(" ").append(wall)
      .append(" ELSE a.local_datetime - make_interval(secs => a.local_offset_seconds) ").append(op).append(" ")
      .append(f.param(utc)).append(" END");
  }

  /** A WHERE clause and its parameters, numbered as they are added. */
  private static final class Filters {
    final StringBuilder where = new StringBuilder();
    final List<Object> params = new ArrayList<>();

    String param(Object value) {
      params.add(value);
      return "$" + params.size();
    }
  }
}

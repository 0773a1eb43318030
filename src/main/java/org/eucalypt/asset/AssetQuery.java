package org.eucalypt.asset;

import io.vertx.sqlclient.Tuple;
import org.eucalypt.id.Ids;

import java.time.OffsetDateTime;
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
 */
record AssetQuery(String sql, Tuple params) {

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

  /** Assets per month of capture time (UTC), newest month first. */
  static AssetQuery countsByMonth(UUID library, AssetFilter filter, int fetch) {
    Filters f = filters(library, filter);
    String limit = f.param(fetch);
    return new AssetQuery("""
      SELECT date_trunc('month', a.local_datetime AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS time_bucket,
             count(*) AS count
        FROM assets a WHERE\s""" + f.where + " GROUP BY 1 ORDER BY 1 DESC LIMIT " + limit, Tuple.from(f.params));
  }

  /** The conditions both share: the library, the trash state, ids, media type and capture time. */
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
    String mediaType = filter.mediaType();
    if (mediaType != null) {
      f.where.append(" AND a.mime_type LIKE ").append(f.param(mediaType + "/%"));
    }
    String after = filter.localDatetimeAfter();
    if (after != null) {
      f.where.append(" AND a.local_datetime > ").append(f.param(OffsetDateTime.parse(after)));
    }
    String before = filter.localDatetimeBefore();
    if (before != null) {
      f.where.append(" AND a.local_datetime < ").append(f.param(OffsetDateTime.parse(before)));
    }
    return f;
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

package org.eucalypt.asset;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

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

  static AssetQuery list(UUID library, JsonObject req, int fetch) {
    Filters f = filters(library, req);
    boolean desc = !"asc".equals(req.getString("order", "desc"));
    String sortColumn = "trashed".equals(req.getString("state", "live")) ? "trashed_at" : "local_datetime";
    String dir = desc ? "DESC" : "ASC";
    String cursor = req.getString("starting_after_id");
    if (cursor != null) {
      String p = f.param(UUID.fromString(cursor));
      f.where.append(" AND (a.").append(sortColumn).append(", a.id) ").append(desc ? "<" : ">")
        .append(" (SELECT c.").append(sortColumn).append(", c.id FROM assets c WHERE c.id = ").append(p)
        .append(" AND c.library_id = $1)");
    }
    String limit = f.param(fetch);
    return new AssetQuery("SELECT " + AssetSql.COLUMNS + " FROM assets a WHERE " + f.where
      + " ORDER BY a." + sortColumn + " " + dir + ", a.id " + dir + " LIMIT " + limit, Tuple.from(f.params));
  }

  /** Assets per month of capture time (UTC), newest month first. */
  static AssetQuery countsByMonth(UUID library, JsonObject req, int fetch) {
    Filters f = filters(library, req);
    String limit = f.param(fetch);
    return new AssetQuery("""
      SELECT date_trunc('month', a.local_datetime AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS time_bucket,
             count(*) AS count
        FROM assets a WHERE\s""" + f.where + " GROUP BY 1 ORDER BY 1 DESC LIMIT " + limit, Tuple.from(f.params));
  }

  /** The conditions both share: the library, the trash state, ids, media type and capture time. */
  private static Filters filters(UUID library, JsonObject req) {
    Filters f = new Filters();
    f.where.append("a.library_id = ").append(f.param(library));
    switch (req.getString("state", "live")) {
      case "trashed" -> f.where.append(" AND a.trashed_at IS NOT NULL");
      case "all" -> { }
      default -> f.where.append(" AND a.trashed_at IS NULL");
    }
    JsonArray ids = req.getJsonArray("ids");
    if (ids != null) {
      UUID[] uuids = ids.stream().map(o -> UUID.fromString((String) o)).toArray(UUID[]::new);
      f.where.append(" AND a.id = ANY(").append(f.param(uuids)).append(")");
    }
    String mediaType = req.getString("media_type");
    if (mediaType != null) {
      f.where.append(" AND a.mime_type LIKE ").append(f.param(mediaType + "/%"));
    }
    String after = req.getString("local_datetime_after");
    if (after != null) {
      f.where.append(" AND a.local_datetime > ").append(f.param(OffsetDateTime.parse(after)));
    }
    String before = req.getString("local_datetime_before");
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

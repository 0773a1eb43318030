package org.eucalypt.asset;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The one statement behind {@code GET /api/assets}, built from its filters.
 *
 * <p>Pages follow a keyset: {@code live} and {@code all} by capture time, {@code trashed} by trash
 * time, the id breaking ties, so a page boundary never skips or repeats a row even while assets
 * come and go. The cursor is the last id of the previous page; its sort key is read from its row.
 */
record AssetQuery(String sql, Tuple params) {

  static AssetQuery list(UUID library, JsonObject req, int fetch) {
    String state = req.getString("state", "live");
    boolean desc = !"asc".equals(req.getString("order", "desc"));
    String sortColumn = "trashed".equals(state) ? "trashed_at" : "local_datetime";
    String cmp = desc ? "<" : ">";
    String dir = desc ? "DESC" : "ASC";

    List<Object> params = new ArrayList<>();
    params.add(library);
    StringBuilder where = new StringBuilder("a.library_id = $1");
    switch (state) {
      case "trashed" -> where.append(" AND a.trashed_at IS NOT NULL");
      case "all" -> { }
      default -> where.append(" AND a.trashed_at IS NULL");
    }
    String cursor = req.getString("starting_after_id");
    if (cursor != null) {
      params.add(UUID.fromString(cursor));
      int p = params.size();
      where.append(" AND (a.").append(sortColumn).append(", a.id) ").append(cmp)
        .append(" (SELECT c.").append(sortColumn).append(", c.id FROM assets c WHERE c.id = $").append(p)
        .append(" AND c.library_id = $1)");
    }
    JsonArray ids = req.getJsonArray("ids");
    if (ids != null) {
      UUID[] uuids = ids.stream().map(o -> UUID.fromString((String) o)).toArray(UUID[]::new);
      params.add(uuids);
      where.append(" AND a.id = ANY($").append(params.size()).append(")");
    }
    String mediaType = req.getString("media_type");
    if (mediaType != null) {
      params.add(mediaType + "/%");
      where.append(" AND a.mime_type LIKE $").append(params.size());
    }
    String after = req.getString("local_datetime_after");
    if (after != null) {
      params.add(OffsetDateTime.parse(after));
      where.append(" AND a.local_datetime > $").append(params.size());
    }
    String before = req.getString("local_datetime_before");
    if (before != null) {
      params.add(OffsetDateTime.parse(before));
      where.append(" AND a.local_datetime < $").append(params.size());
    }
    params.add(fetch);
    String sql = "SELECT " + AssetSql.COLUMNS + " FROM assets a WHERE " + where
      + " ORDER BY a." + sortColumn + " " + dir + ", a.id " + dir
      + " LIMIT $" + params.size();
    return new AssetQuery(sql, Tuple.from(params));
  }
}

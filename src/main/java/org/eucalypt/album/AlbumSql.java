package org.eucalypt.album;

import io.vertx.sqlclient.Tuple;
import org.eucalypt.id.Ids;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Every statement of albums and memberships, in one place.
 *
 * <p>Reads always join on the library being live: a trashed library's albums and memberships
 * vanish from every read without a row of theirs being touched. What an album shows of its
 * assets (count, first and last capture time, the default cover) is computed on read from its
 * memberships of live assets, through the partial index {@code album_assets_live_time}: dates and
 * cover are one index probe each, the count an index-only scan. Each membership carries a copy of
 * its asset's trash state and capture time, which a trigger on assets keeps in step (V5), so this
 * is exact in every committed state, with nothing for the asset paths or the drain to maintain.
 *
 * <p>Changes lock the album's library row FOR SHARE first, then what they change: the same order
 * as the paths that delete assets (library FOR UPDATE, then memberships and the albums whose
 * cover they were), so the two never deadlock; album changes in one library run side by side, and
 * a trash, a purge batch or a per-asset trash of that library waits for them (and they for it).
 */
final class AlbumSql {
  private AlbumSql() {
  }

  /**
   * An album as answered. The chosen cover counts while its asset is live; otherwise the album
   * shows its oldest live asset by capture time, as Gumnut does (ties: the lowest id), or none.
   */
  private static final String SELECT_ALBUMS = """
    SELECT al.id, al.library_id, al.name, al.description, al.created_at, al.updated_at,
           (SELECT count(*) FROM album_assets m WHERE m.album_id = al.id AND m.asset_live) AS asset_count,
           (SELECT min(m.local_datetime) FROM album_assets m WHERE m.album_id = al.id AND m.asset_live) AS start_date,
           (SELECT max(m.local_datetime) FROM album_assets m WHERE m.album_id = al.id AND m.asset_live) AS end_date,
           coalesce(
             (SELECT m.asset_id FROM album_assets m
               WHERE m.album_id = al.id AND m.asset_id = al.cover_asset_id AND m.asset_live),
             (SELECT m.asset_id FROM album_assets m WHERE m.album_id = al.id AND m.asset_live
               ORDER BY m.local_datetime, m.asset_id LIMIT 1)) AS cover_asset_id
      FROM albums al
      JOIN libraries l ON l.id = al.library_id AND l.trashed_at IS NULL
    """;

  static final String GET = SELECT_ALBUMS + " WHERE al.id = $1 AND l.user_id = $2";

  static final String LINK_COLUMNS = "m.id, m.album_id, m.asset_id, m.created_at, m.updated_at";

  /** One membership, its album's library live and the caller's (its asset trashed or not, as get_asset). */
  static final String GET_LINK = "SELECT " + LINK_COLUMNS + ", al.library_id " + """
     FROM album_assets m
     JOIN albums al ON al.id = m.album_id
     JOIN libraries l ON l.id = al.library_id AND l.trashed_at IS NULL
    WHERE m.id = $1 AND l.user_id = $2""";

  /** The caller's live library, held (FOR SHARE) until the change commits. */
  static final String LOCK_LIBRARY = """
    SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL FOR SHARE""";

  /**
   * The caller's album's library, live, held (FOR SHARE) until the change commits. A trash that
   * committed while this waited is seen: the row is checked again as it is now.
   */
  static final String LOCK_ALBUM_LIBRARY = """
    SELECT al.library_id FROM albums al JOIN libraries l ON l.id = al.library_id
     WHERE al.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL
       FOR SHARE OF l""";

  /** Keeps the album from being deleted under a change to its memberships (which would then fail its key). */
  static final String KEEP_ALBUM = "SELECT id FROM albums WHERE id = $1 FOR KEY SHARE";

  static final String INSERT = """
    INSERT INTO albums (id, library_id, name, description, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $5)""";

  /** Only the fields present change: a flag per field says whether to set it. */
  static final String UPDATE = """
    UPDATE albums
       SET name           = CASE WHEN $2 THEN $3 ELSE name END,
           description    = CASE WHEN $4 THEN $5 ELSE description END,
           cover_asset_id = CASE WHEN $6 THEN $7 ELSE cover_asset_id END,
           updated_at     = $8
     WHERE id = $1
    RETURNING id""";

  /**
   * A chosen cover must be a live asset of the album; its membership is held until the update
   * commits, so a removal cannot slip in between.
   */
  static final String LIVE_MEMBER = """
    SELECT id FROM album_assets WHERE album_id = $1 AND asset_id = $2 AND asset_live FOR KEY SHARE""";

  static final String DELETE = "DELETE FROM albums WHERE id = $1 RETURNING id";

  /**
   * What may be added: live assets of the album's library, held FOR SHARE until the memberships
   * commit, so a change of an asset's state waits for them and its trigger then updates them too.
   * Locked in id order, as the stacks' statements lock theirs (StackSql.LOCK_ASSETS): in the
   * order a scan met them, an add and a new stack over the same two assets could each hold one
   * and wait for the other (a deadlock, answered 500, seen once in RaceFuzzTest).
   */
  static final String ADDABLE = """
    SELECT id, local_datetime FROM assets WHERE library_id = $1 AND id = ANY($2) AND trashed_at IS NULL
     ORDER BY id FOR SHARE""";

  /** New memberships, in the order given; those already there are skipped and not returned. */
  static final String INSERT_MEMBERS = """
    INSERT INTO album_assets (id, album_id, asset_id, asset_live, local_datetime, created_at, updated_at)
    SELECT x.id, $1, x.asset_id, true, x.local_datetime, $5, $5
      FROM unnest($2::uuid[], $3::uuid[], $4::timestamp[]) WITH ORDINALITY AS x(id, asset_id, local_datetime, n)
     ORDER BY x.n
    ON CONFLICT (album_id, asset_id) DO NOTHING
    RETURNING id, asset_id""";

  static final String REMOVE_MEMBERS = """
    DELETE FROM album_assets WHERE album_id = $1 AND asset_id = ANY($2) RETURNING id, asset_id""";

  /** The memberships of assets being deleted for good (see {@link AlbumPurge}). */
  static final String REMOVE_MEMBERSHIPS_OF_ASSETS = """
    DELETE FROM album_assets WHERE asset_id = ANY($1) RETURNING id, album_id, asset_id""";

  /**
   * A batch of a purged library's albums, once its assets (and so every membership) are gone;
   * the cascade would take any membership left.
   */
  static final String DELETE_LIBRARY_ALBUMS = """
    DELETE FROM albums WHERE id IN (SELECT id FROM albums WHERE library_id = $1 ORDER BY id LIMIT $2)
    RETURNING id""";

  /** A statement and its parameters, numbered as they are added. */
  record Query(String sql, Tuple params) {
  }

  /** {@code list_albums}: newest first, the id breaking ties; the cursor's sort key read from its row. */
  static Query listAlbums(UUID library, UUID[] ids, UUID asset, UUID after, int fetch) {
    Builder b = new Builder(SELECT_ALBUMS + " WHERE al.library_id = ");
    b.sql.append(b.param(library));
    if (ids != null) {
      b.sql.append(" AND al.id = ANY(").append(b.param(ids)).append(")");
    }
    if (asset != null) {
      b.sql.append(" AND EXISTS (SELECT 1 FROM album_assets x WHERE x.album_id = al.id AND x.asset_id = ")
        .append(b.param(asset)).append(" AND x.asset_live)");
    }
    if (after != null) {
      b.sql.append(" AND (al.created_at, al.id) < (SELECT c.created_at, c.id FROM albums c WHERE c.id = ")
        .append(b.param(after)).append(" AND c.library_id = $1)");
    }
    b.sql.append(" ORDER BY al.created_at DESC, al.id DESC LIMIT ").append(b.param(fetch));
    return b.query();
  }

  /**
   * {@code list_album_assets}: memberships of live assets of the library's albums, oldest first
   * (ids are time-ordered, so the id alone is the keyset).
   */
  static Query listLinks(UUID library, UUID album, UUID asset, UUID[] ids, UUID after, int fetch) {
    Builder b = new Builder("SELECT " + LINK_COLUMNS + """
       FROM album_assets m
       JOIN albums al ON al.id = m.album_id
       JOIN libraries l ON l.id = al.library_id AND l.trashed_at IS NULL
      WHERE m.asset_live AND al.library_id =\s""");
    b.sql.append(b.param(library));
    if (album != null) {
      b.sql.append(" AND m.album_id = ").append(b.param(album));
    }
    if (asset != null) {
      b.sql.append(" AND m.asset_id = ").append(b.param(asset));
    }
    if (ids != null) {
      b.sql.append(" AND m.id = ANY(").append(b.param(ids)).append(")");
    }
    if (after != null) {
      b.sql.append(" AND m.id > ").append(b.param(after));
    }
    b.sql.append(" ORDER BY m.id LIMIT ").append(b.param(fetch));
    return b.query();
  }

  private static final class Builder {
    final StringBuilder sql;
    final List<Object> params = new ArrayList<>();

    Builder(String start) {
      sql = new StringBuilder(start);
    }

    String param(Object value) {
      params.add(value);
      return "$" + params.size();
    }

    Query query() {
      return new Query(sql.toString(), Tuple.from(params));
    }
  }

  /** The UUIDs of public ids of one kind; one that cannot exist matches nothing, like one that does not. */
  static UUID[] uuids(Ids kind, List<String> ids) {
    return ids == null ? null : ids.stream().flatMap(i -> kind.parse(i).stream()).toArray(UUID[]::new);
  }
}

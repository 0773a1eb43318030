package org.eucalypt.person;

/** Every statement the people and faces services run, in one place. */
final class PeopleSql {
  private PeopleSql() {
  }

  /** A live face: one whose asset is not in the trash. */
  private static final String LIVE_FACE = "JOIN assets la ON la.id = lf.asset_id AND la.trashed_at IS NULL ";

  /**
   * A person as the API answers it. {@code asset_count} counts the distinct live assets its faces
   * are on; {@code thumbnail_face_id} is the chosen face while it is live, else the person's
   * oldest live face, else null: both follow trash and restore of single assets with no write.
   */
  static final String PERSON_COLUMNS = """
    p.id, p.library_id, p.name, p.birth_date, p.is_favorite, p.is_hidden, p.created_at, p.updated_at,
    (SELECT count(DISTINCT lf.asset_id) FROM faces lf\s""" + LIVE_FACE + """
      WHERE lf.person_id = p.id) AS asset_count,
    coalesce((SELECT lf.id FROM faces lf\s""" + LIVE_FACE + """
               WHERE lf.id = p.thumbnail_face_id),
             (SELECT lf.id FROM faces lf\s""" + LIVE_FACE + """
               WHERE lf.person_id = p.id ORDER BY lf.created_at, lf.id LIMIT 1)) AS thumbnail_face_id""";

  static final String FACE_COLUMNS = """
    f.id, f.library_id, f.asset_id, f.person_id, f.source, f.x, f.y, f.w, f.h, f.confidence, f.timestamp_ms,
    f.created_at, f.updated_at""";

  /** A person is visible only while its library is live and belongs to the caller. */
  static final String GET_PERSON = "SELECT " + PERSON_COLUMNS + " " + """
     FROM people p JOIN libraries l ON l.id = p.library_id
    WHERE p.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";

  /** As {@link #GET_PERSON}, for a face; a face of a trashed asset is still found by its id. */
  static final String GET_FACE = "SELECT " + FACE_COLUMNS + " " + """
     FROM faces f JOIN libraries l ON l.id = f.library_id
    WHERE f.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";

  /**
   * The first statement of a change: the caller's live library, share-locked, so that a drain
   * batch or a permanent asset delete (which lock it exclusively) and the change take turns.
   */
  static final String LOCK_LIBRARY = """
    SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL FOR SHARE""";

  static final String LOCK_LIBRARY_OF_PERSON = """
    SELECT l.id FROM libraries l JOIN people p ON p.library_id = l.id
     WHERE p.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL
       FOR SHARE OF l""";

  static final String LOCK_LIBRARY_OF_FACE = """
    SELECT l.id FROM libraries l JOIN faces f ON f.library_id = l.id
     WHERE f.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL
       FOR SHARE OF l""";

  /** People of one library, locked in id order so two merges cannot deadlock on them. */
  static final String LOCK_PEOPLE = """
    SELECT id FROM people WHERE library_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE""";

  static final String LOCK_FACE = "SELECT id, person_id FROM faces WHERE id = $1 AND library_id = $2 FOR UPDATE";

  /** The asset a face is drawn on, kept from a concurrent delete while the face goes in. */
  static final String ASSET_FOR_FACE = """
    SELECT id, width, height, trashed_at FROM assets WHERE id = $1 AND library_id = $2 FOR SHARE""";

  static final String FACE_OF_LIBRARY = "SELECT id FROM faces WHERE id = $1 AND library_id = $2";

  static final String INSERT_PERSON = """
    INSERT INTO people (id, library_id, name, birth_date, is_favorite, is_hidden, thumbnail_face_id, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)""";

  static final String INSERT_FACE = """
    INSERT INTO faces (id, library_id, asset_id, person_id, source, x, y, w, h, created_at, updated_at)
    VALUES ($1, $2, $3, $4, 'manual', $5, $6, $7, $8, $9, $9)""";

  static final String ASSIGN_FACE = "UPDATE faces SET person_id = $2, updated_at = $3 WHERE id = $1";

  /** Detaches or moves every face of these people, answering which. */
  static final String MOVE_FACES = """
    UPDATE faces SET person_id = $2, updated_at = $3 WHERE person_id = ANY($1) RETURNING id, person_id, asset_id""";

  static final String FACES_OF_PEOPLE = "SELECT id FROM faces WHERE person_id = ANY($1) ORDER BY id FOR UPDATE";

  static final String DELETE_PEOPLE = "DELETE FROM people WHERE id = ANY($1)";

  static final String TOUCH_PERSON = "UPDATE people SET updated_at = $2 WHERE id = $1";

  /**
   * Before a face goes: the people it belongs to or is the thumbnail of, locked in id order, so
   * that deleting it takes people before faces like every other change here (no deadlock).
   */
  static final String LOCK_PEOPLE_OF_FACE = """
    SELECT p.id FROM people p
     WHERE p.thumbnail_face_id = $1 OR p.id = (SELECT f.person_id FROM faces f WHERE f.id = $1)
     ORDER BY p.id FOR UPDATE""";

  static final String DELETE_FACE = """
    DELETE FROM faces WHERE id = $1 RETURNING id, asset_id, person_id""";

  /** The faces of assets deleted for good in this transaction (asset.Purge). */
  static final String DELETE_FACES_OF_ASSETS = """
    DELETE FROM faces WHERE asset_id = ANY($1) RETURNING id, asset_id, person_id""";

  /**
   * People whose chosen thumbnail was deleted move on to their oldest remaining face, a live one
   * first, or to none.
   */
  static final String MOVE_THUMBNAILS = """
    UPDATE people p SET updated_at = $2, thumbnail_face_id = (
        SELECT f.id FROM faces f JOIN assets a ON a.id = f.asset_id
         WHERE f.person_id = p.id
         ORDER BY a.trashed_at IS NOT NULL, f.created_at, f.id LIMIT 1)
     WHERE p.thumbnail_face_id = ANY($1)
    RETURNING p.id, p.thumbnail_face_id""";

  /** A batch of a purged library's people; their faces went with the assets before. */
  static final String DELETE_LIBRARY_PEOPLE = """
    DELETE FROM people WHERE id IN (SELECT id FROM people WHERE library_id = $1 LIMIT $2) RETURNING id""";

  /** The faces of a page of assets ({@code include=faces}), oldest first per asset. */
  static final String FACES_OF_ASSETS = "SELECT " + FACE_COLUMNS + " FROM faces f WHERE f.asset_id = ANY($1)"
    + " ORDER BY f.asset_id, f.created_at, f.id";

  /** The distinct people of a page of assets ({@code include=people}), by name. */
  static final String PEOPLE_OF_ASSETS = "SELECT DISTINCT ON (f.asset_id, p.id) f.asset_id AS of_asset, "
    + PERSON_COLUMNS + " FROM faces f JOIN people p ON p.id = f.person_id WHERE f.asset_id = ANY($1)"
    + " ORDER BY f.asset_id, p.id";
}

package org.eucalypt.auth;

/** Every statement about users and keys, in one place. */
final class AuthSql {
  private AuthSql() {
  }

  static final String PRINCIPAL = """
    SELECT k.id AS key_id, k.user_id, k.actions, k.library_scope_mode,
           ARRAY(SELECT kl.library_id FROM api_key_libraries kl WHERE kl.api_key_id = k.id) AS library_ids
      FROM api_keys k JOIN users u ON u.id = k.user_id
     WHERE k.secret_sha256 = $1 AND k.is_active AND u.is_active""";

  static final String INSERT_USER = """
    INSERT INTO users (id, email, storage_limit_bytes) VALUES ($1, $2, $3)""";

  static final String KEY_COLUMNS = """
    k.id, k.name, k.is_active, k.actions, k.library_scope_mode, k.last_used_at, k.created_at,
    CASE WHEN k.library_scope_mode = 'selected_libraries'
         THEN (SELECT count(*) FROM api_key_libraries kl WHERE kl.api_key_id = k.id) END AS selected_library_count""";

  static final String INSERT_KEY = """
    INSERT INTO api_keys AS k (id, user_id, name, secret_sha256, actions, library_scope_mode)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING\s""" + KEY_COLUMNS;

  /** The caller's own live libraries among those named, for a scoped key. */
  static final String OWN_LIVE_LIBRARIES = """
    SELECT id FROM libraries WHERE user_id = $1 AND id = ANY($2) AND trashed_at IS NULL FOR SHARE""";

  static final String SCOPE_KEY = """
    INSERT INTO api_key_libraries (api_key_id, library_id) SELECT $1, unnest($2::uuid[])""";

  static final String LIST_KEYS = "SELECT " + KEY_COLUMNS + " FROM api_keys k WHERE k.user_id = $1 ORDER BY k.created_at, k.id";

  static final String UPDATE_KEY = """
    UPDATE api_keys AS k
       SET name      = CASE WHEN $3 THEN $4 ELSE name END,
           is_active = CASE WHEN $5 THEN $6 ELSE is_active END
     WHERE k.id = $1 AND k.user_id = $2
    RETURNING\s""" + KEY_COLUMNS;

  static final String DELETE_KEY = "DELETE FROM api_keys WHERE id = $1 AND user_id = $2 RETURNING id";

  /** Tells every instance, at commit, to forget what it cached about this key. */
  static final String NOTIFY_KEY_CHANGED = "SELECT pg_notify('" + "eucalypt_auth" + "', $1)";

  /** last_used_at moves forward only, whatever order the instances' batches arrive in. */
  static final String TOUCH = """
    UPDATE api_keys SET last_used_at = greatest(last_used_at, $2) WHERE id = ANY($1)""";

  /**
   * The account; an account without a limit reports 2^53 - 1 bytes (8 PiB): the SDKs type the
   * limit as an integer, and this is the largest one every JSON reader (JavaScript's included)
   * reads exactly.
   */
  static final String ME = """
    SELECT u.id, u.email, u.first_name, u.last_name, u.is_active, u.is_superuser, u.is_verified,
           coalesce(u.storage_limit_bytes, $2, 9007199254740991) AS storage_limit_bytes,
           (SELECT coalesce(sum(l.storage_used_bytes), 0) FROM libraries l WHERE l.user_id = u.id) AS storage_used_bytes,
           u.timezone, u.created_at, u.updated_at
      FROM users u WHERE u.id = $1""";
}

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

  static final String INSERT_KEY = """
    INSERT INTO api_keys (id, user_id, name, secret_sha256, actions, library_scope_mode)
    VALUES ($1, $2, $3, $4, $5, 'all_libraries')""";
}

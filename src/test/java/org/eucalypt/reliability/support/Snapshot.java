package org.eucalypt.reliability.support;

import org.eucalypt.support.TestServer;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a request could change, in a form to compare: a digest of each table's rows and the
 * set of files under the storage directory. Only {@code api_keys.last_used_at} is left out: a
 * request authenticated with a key may move it, whatever the request was.
 */
public record Snapshot(Map<String, String> tables, Set<java.nio.file.Path> files) {

  private static final Map<String, String> TABLES = Map.of(
    "users", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM users t",
    "api_keys", "SELECT md5(coalesce(string_agg((t.id, t.name, t.is_active, t.actions, t.created_at)::text, '|'"
      + " ORDER BY t.id), '')) FROM api_keys t",
    "api_key_libraries", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM api_key_libraries t",
    "libraries", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM libraries t",
    "assets", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM assets t",
    "blob_deletions", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM blob_deletions t",
    "events", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM events t");

  public static Snapshot of(TestServer server) {
    Map<String, String> tables = new TreeMap<>();
    TABLES.forEach((name, sql) -> tables.put(name, server.sql(sql).iterator().next().getString(0)));
    return new Snapshot(tables, server.filesUnderStorage());
  }
}

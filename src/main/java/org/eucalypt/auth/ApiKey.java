package org.eucalypt.auth;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

import java.util.List;

/**
 * The API's {@code APIKeyResponse}; {@code key} (the secret) only in the answer that creates it,
 * also as {@code api_key}, the name the Python SDK reads.
 */
@DataObject
public final class ApiKey implements Json.Shape {
  private final String id;
  private final String name;
  private final boolean isActive;
  private final List<String> actions;
  private final String libraryScopeMode;
  private final Long selectedLibraryCount;
  private final String lastUsedAt;
  private final String createdAt;
  private final String key;

  public ApiKey(String id, String name, boolean isActive, List<String> actions, String libraryScopeMode, Long selectedLibraryCount, String lastUsedAt, String createdAt, String key) {
    this.id = id;
    this.name = name;
    this.isActive = isActive;
    this.actions = actions;
    this.libraryScopeMode = libraryScopeMode;
    this.selectedLibraryCount = selectedLibraryCount;
    this.lastUsedAt = lastUsedAt;
    this.createdAt = createdAt;
    this.key = key;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  public boolean isActive() {
    return isActive;
  }

  public List<String> actions() {
    return actions;
  }

  public String libraryScopeMode() {
    return libraryScopeMode;
  }

  public Long selectedLibraryCount() {
    return selectedLibraryCount;
  }

  public String lastUsedAt() {
    return lastUsedAt;
  }

  public String createdAt() {
    return createdAt;
  }

  public String key() {
    return key;
  }


  static ApiKey of(Row r) {
    return new ApiKey(Ids.API_KEY.format(r.getUUID("id")), r.getString("name"), r.getBoolean("is_active"),
      List.of(r.getArrayOfStrings("actions")), r.getString("library_scope_mode"), r.getLong("selected_library_count"),
      Json.time(r.getOffsetDateTime("last_used_at")), Json.time(r.getOffsetDateTime("created_at")), null);
  }

  public ApiKey(JsonObject j) {
    this(j.getString("id"), j.getString("name"), j.getBoolean("is_active"),
      j.getJsonArray("actions").stream().map(String::valueOf).toList(), j.getString("library_scope_mode"),
      j.getLong("selected_library_count"), j.getString("last_used_at"), j.getString("created_at"), j.getString("key"));
  }

  ApiKey withSecret(String secret, Long selectedLibraries) {
    return new ApiKey(id, name, isActive, actions, libraryScopeMode, selectedLibraries, lastUsedAt, createdAt, secret);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("name", name)
      .put("is_active", isActive)
      .put("actions", new JsonArray(List.copyOf(actions)))
      .put("library_scope_mode", libraryScopeMode)
      .put("selected_library_count", selectedLibraryCount)
      .put("last_used_at", lastUsedAt)
      .put("created_at", createdAt);
    if (key != null) {
      json.put("key", key).put("api_key", key);
    }
    return json;
  }
}

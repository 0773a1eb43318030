package org.eucalypt.auth;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The body of {@code create_api_key} and {@code update_api_key}: for an update only the fields
 * given change. {@code libraryIds} are public ids ({@code lib_...}).
 */
@DataObject
public final class ApiKeyChanges {
  private final boolean hasName;
  private final String name;
  private final boolean hasIsActive;
  private final Boolean isActive;
  private final List<String> actions;
  private final String libraryScopeMode;
  private final List<String> libraryIds;

  public ApiKeyChanges(boolean hasName, String name, boolean hasIsActive, Boolean isActive, List<String> actions, String libraryScopeMode, List<String> libraryIds) {
    this.hasName = hasName;
    this.name = name;
    this.hasIsActive = hasIsActive;
    this.isActive = isActive;
    this.actions = actions;
    this.libraryScopeMode = libraryScopeMode;
    this.libraryIds = libraryIds;
  }

  public boolean hasName() {
    return hasName;
  }

  public String name() {
    return name;
  }

  public boolean hasIsActive() {
    return hasIsActive;
  }

  public Boolean isActive() {
    return isActive;
  }

  public List<String> actions() {
    return actions;
  }

  public String libraryScopeMode() {
    return libraryScopeMode;
  }

  public List<String> libraryIds() {
    return libraryIds;
  }


  public ApiKeyChanges(JsonObject body) {
    this(body.containsKey("name"), body.getString("name"), body.containsKey("is_active"), body.getBoolean("is_active"),
      strings(body.getJsonArray("actions")), body.getString("library_scope_mode", "all_libraries"),
      strings(body.getJsonArray("library_ids")));
  }

  private static List<String> strings(JsonArray a) {
    return a == null ? null : a.stream().map(String::valueOf).toList();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("library_scope_mode", libraryScopeMode);
    if (hasName) {
      json.put("name", name);
    }
    if (hasIsActive) {
      json.put("is_active", isActive);
    }
    if (actions != null) {
      json.put("actions", new JsonArray(List.copyOf(actions)));
    }
    if (libraryIds != null) {
      json.put("library_ids", new JsonArray(List.copyOf(libraryIds)));
    }
    return json;
  }
}

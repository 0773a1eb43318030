package org.eucalypt.library;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * The body of {@code create_library} and {@code update_library}. For an update only the fields
 * present change, and an explicit null clears (the description, the storage limit): so each
 * field carries whether it was given.
 */
@DataObject
public final class LibraryChanges {
  private final boolean hasName;
  private final String name;
  private final boolean hasDescription;
  private final String description;
  private final boolean hasStorageLimit;
  private final Long storageLimitBytes;

  public LibraryChanges(boolean hasName, String name, boolean hasDescription, String description, boolean hasStorageLimit, Long storageLimitBytes) {
    this.hasName = hasName;
    this.name = name;
    this.hasDescription = hasDescription;
    this.description = description;
    this.hasStorageLimit = hasStorageLimit;
    this.storageLimitBytes = storageLimitBytes;
  }

  public boolean hasName() {
    return hasName;
  }

  public String name() {
    return name;
  }

  public boolean hasDescription() {
    return hasDescription;
  }

  public String description() {
    return description;
  }

  public boolean hasStorageLimit() {
    return hasStorageLimit;
  }

  public Long storageLimitBytes() {
    return storageLimitBytes;
  }


  public LibraryChanges(JsonObject body) {
    this(body.containsKey("name"), body.getString("name"),
      body.containsKey("description"), body.getString("description"),
      body.containsKey("storage_limit_bytes"), body.getLong("storage_limit_bytes"));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (hasName) {
      json.put("name", name);
    }
    if (hasDescription) {
      json.put("description", description);
    }
    if (hasStorageLimit) {
      json.put("storage_limit_bytes", storageLimitBytes);
    }
    return json;
  }
}

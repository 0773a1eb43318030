package org.eucalypt.auth;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

/** The API's {@code UserResponse}: the caller's account. */
@DataObject
public final class User implements Json.Shape {
  private final String id;
  private final String email;
  private final String firstName;
  private final String lastName;
  private final boolean isActive;
  private final boolean isSuperuser;
  private final boolean isVerified;
  private final long storageLimitBytes;
  private final long storageUsedBytes;
  private final String timezone;
  private final String createdAt;
  private final String updatedAt;

  public User(String id, String email, String firstName, String lastName, boolean isActive, boolean isSuperuser, boolean isVerified, long storageLimitBytes, long storageUsedBytes, String timezone, String createdAt, String updatedAt) {
    this.id = id;
    this.email = email;
    this.firstName = firstName;
    this.lastName = lastName;
    this.isActive = isActive;
    this.isSuperuser = isSuperuser;
    this.isVerified = isVerified;
    this.storageLimitBytes = storageLimitBytes;
    this.storageUsedBytes = storageUsedBytes;
    this.timezone = timezone;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  public String id() {
    return id;
  }

  public String email() {
    return email;
  }

  public String firstName() {
    return firstName;
  }

  public String lastName() {
    return lastName;
  }

  public boolean isActive() {
    return isActive;
  }

  public boolean isSuperuser() {
    return isSuperuser;
  }

  public boolean isVerified() {
    return isVerified;
  }

  public long storageLimitBytes() {
    return storageLimitBytes;
  }

  public long storageUsedBytes() {
    return storageUsedBytes;
  }

  public String timezone() {
    return timezone;
  }

  public String createdAt() {
    return createdAt;
  }

  public String updatedAt() {
    return updatedAt;
  }


  static User of(Row r) {
    return new User(Ids.USER.format(r.getUUID("id")), r.getString("email"), r.getString("first_name"),
      r.getString("last_name"), r.getBoolean("is_active"), r.getBoolean("is_superuser"), r.getBoolean("is_verified"),
      r.getLong("storage_limit_bytes"), r.getLong("storage_used_bytes"), r.getString("timezone"),
      Json.time(r.getOffsetDateTime("created_at")), Json.time(r.getOffsetDateTime("updated_at")));
  }

  public User(JsonObject j) {
    this(j.getString("id"), j.getString("email"), j.getString("first_name"), j.getString("last_name"),
      j.getBoolean("is_active"), j.getBoolean("is_superuser"), j.getBoolean("is_verified"),
      j.getLong("storage_limit_bytes"), j.getLong("storage_used_bytes"), j.getString("timezone"),
      j.getString("created_at"), j.getString("updated_at"));
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("email", email)
      .put("first_name", firstName)
      .put("last_name", lastName)
      .put("is_active", isActive)
      .put("is_superuser", isSuperuser)
      .put("is_verified", isVerified)
      .put("storage_limit_bytes", storageLimitBytes)
      .put("storage_used_bytes", storageUsedBytes)
      .put("timezone", timezone)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
  }
}

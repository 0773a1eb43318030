package org.eucalypt.person;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

import java.time.LocalDate;
import java.util.UUID;

/**
 * Gumnut's {@code PersonResponse}. {@code asset_count} and {@code thumbnail_face_id} follow the
 * person's live faces (faces on assets not in the trash): the chosen thumbnail while its asset is
 * live, else the person's oldest live face, else null. {@code library_id} is eucalypt's extension,
 * as on stacks. No face crops are made, so {@code asset_urls} is null; no clustering runs, so
 * {@code cluster_metrics} is null even when asked for.
 */
@DataObject
public final class Person implements Json.Shape {
  private final String id;
  private final String libraryId;
  private final String name;
  private final String birthDate;
  private final boolean isFavorite;
  private final boolean isHidden;
  private final String thumbnailFaceId;
  private final long assetCount;
  private final String createdAt;
  private final String updatedAt;

  public Person(String id, String libraryId, String name, String birthDate, boolean isFavorite, boolean isHidden,
                String thumbnailFaceId, long assetCount, String createdAt, String updatedAt) {
    this.id = id;
    this.libraryId = libraryId;
    this.name = name;
    this.birthDate = birthDate;
    this.isFavorite = isFavorite;
    this.isHidden = isHidden;
    this.thumbnailFaceId = thumbnailFaceId;
    this.assetCount = assetCount;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  public Person(JsonObject j) {
    this(j.getString("id"), j.getString("library_id"), j.getString("name"), j.getString("birth_date"),
      j.getBoolean("is_favorite"), j.getBoolean("is_hidden"), j.getString("thumbnail_face_id"),
      j.getLong("asset_count"), j.getString("created_at"), j.getString("updated_at"));
  }

  /** A row of {@link PeopleSql#PERSON_COLUMNS}. */
  static Person of(Row r) {
    LocalDate birth = r.getLocalDate("birth_date");
    UUID thumbnail = r.getUUID("thumbnail_face_id");
    return new Person(Ids.PERSON.format(r.getUUID("id")), Ids.LIBRARY.format(r.getUUID("library_id")),
      r.getString("name"), birth == null ? null : birth.toString(), r.getBoolean("is_favorite"),
      r.getBoolean("is_hidden"), thumbnail == null ? null : Ids.FACE.format(thumbnail), r.getLong("asset_count"),
      Json.time(r.getOffsetDateTime("created_at")), Json.time(r.getOffsetDateTime("updated_at")));
  }

  public String id() {
    return id;
  }

  public String libraryId() {
    return libraryId;
  }

  public String name() {
    return name;
  }

  public String birthDate() {
    return birthDate;
  }

  public boolean isFavorite() {
    return isFavorite;
  }

  public boolean isHidden() {
    return isHidden;
  }

  public String thumbnailFaceId() {
    return thumbnailFaceId;
  }

  public long assetCount() {
    return assetCount;
  }

  public String createdAt() {
    return createdAt;
  }

  public String updatedAt() {
    return updatedAt;
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("library_id", libraryId)
      .put("name", name)
      .put("birth_date", birthDate)
      .put("is_favorite", isFavorite)
      .put("is_hidden", isHidden)
      .put("thumbnail_face_id", thumbnailFaceId)
      .put("asset_count", assetCount)
      .put("asset_urls", null)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
  }
}

package org.eucalypt.person;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.eucalypt.bus.Json;
import org.eucalypt.id.Ids;

import java.util.UUID;

/**
 * Gumnut's {@code FaceResponse}: a box on an asset, in display-space pixels, maybe assigned to a
 * person. {@code source} is {@code manual} for boxes drawn through the API, {@code automatic} for
 * a detector's (with its {@code confidence}); {@code library_id} is eucalypt's extension.
 */
@DataObject
public final class Face implements Json.Shape {
  private final String id;
  private final String libraryId;
  private final String assetId;
  private final String personId;
  private final String source;
  private final JsonObject boundingBox;
  private final Double confidence;
  private final Long timestampMs;
  private final String createdAt;
  private final String updatedAt;

  public Face(String id, String libraryId, String assetId, String personId, String source, JsonObject boundingBox,
              Double confidence, Long timestampMs, String createdAt, String updatedAt) {
    this.id = id;
    this.libraryId = libraryId;
    this.assetId = assetId;
    this.personId = personId;
    this.source = source;
    this.boundingBox = boundingBox;
    this.confidence = confidence;
    this.timestampMs = timestampMs;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
  }

  public Face(JsonObject j) {
    this(j.getString("id"), j.getString("library_id"), j.getString("asset_id"), j.getString("person_id"),
      j.getString("source"), j.getJsonObject("bounding_box"), j.getDouble("confidence"), j.getLong("timestamp_ms"),
      j.getString("created_at"), j.getString("updated_at"));
  }

  /** A row of {@link PeopleSql#FACE_COLUMNS}. */
  static Face of(Row r) {
    UUID person = r.getUUID("person_id");
    Float confidence = r.getFloat("confidence");
    return new Face(Ids.FACE.format(r.getUUID("id")), Ids.LIBRARY.format(r.getUUID("library_id")),
      Ids.ASSET.format(r.getUUID("asset_id")), person == null ? null : Ids.PERSON.format(person), r.getString("source"),
      new JsonObject().put("x", r.getInteger("x")).put("y", r.getInteger("y")).put("w", r.getInteger("w"))
        .put("h", r.getInteger("h")),
      confidence == null ? null : confidence.doubleValue(), r.getLong("timestamp_ms"),
      Json.time(r.getOffsetDateTime("created_at")), Json.time(r.getOffsetDateTime("updated_at")));
  }

  public String id() {
    return id;
  }

  public String libraryId() {
    return libraryId;
  }

  public String assetId() {
    return assetId;
  }

  public String personId() {
    return personId;
  }

  public String source() {
    return source;
  }

  public JsonObject boundingBox() {
    return boundingBox;
  }

  public Double confidence() {
    return confidence;
  }

  public Long timestampMs() {
    return timestampMs;
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
      .put("asset_id", assetId)
      .put("person_id", personId)
      .put("source", source)
      .put("bounding_box", boundingBox.copy())
      .put("confidence", confidence)
      .put("timestamp_ms", timestampMs)
      .put("created_at", createdAt)
      .put("updated_at", updatedAt);
  }
}

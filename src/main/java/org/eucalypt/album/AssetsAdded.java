package org.eucalypt.album;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

import java.util.List;

/**
 * Gumnut's {@code AssetsAssociationAddResponse}: each id asked for, once, in the order given —
 * added now, already in the album, or not found (unknown, malformed, trashed, or of another
 * library or user).
 */
@DataObject
public final class AssetsAdded implements Json.Shape {
  private final List<String> addedAssets;
  private final List<String> duplicateAssets;
  private final List<String> notFoundAssets;

  public AssetsAdded(List<String> addedAssets, List<String> duplicateAssets, List<String> notFoundAssets) {
    this.addedAssets = addedAssets;
    this.duplicateAssets = duplicateAssets;
    this.notFoundAssets = notFoundAssets;
  }

  public List<String> addedAssets() {
    return addedAssets;
  }

  public List<String> duplicateAssets() {
    return duplicateAssets;
  }

  public List<String> notFoundAssets() {
    return notFoundAssets;
  }

  public AssetsAdded(JsonObject j) {
    this(strings(j.getJsonArray("added_assets")), strings(j.getJsonArray("duplicate_assets")),
      strings(j.getJsonArray("not_found_assets")));
  }

  private static List<String> strings(JsonArray a) {
    return a.stream().map(String::valueOf).toList();
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("added_assets", new JsonArray(List.copyOf(addedAssets)))
      .put("duplicate_assets", new JsonArray(List.copyOf(duplicateAssets)))
      .put("not_found_assets", new JsonArray(List.copyOf(notFoundAssets)));
  }
}

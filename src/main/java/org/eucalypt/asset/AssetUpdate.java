package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/** One item of {@code bulk_update_assets}: the asset ({@code asset_} id) and its change. */
@DataObject
public final class AssetUpdate {
  private final String id;
  private final AssetChange change;

  public AssetUpdate(String id, AssetChange change) {
    this.id = id;
    this.change = change;
  }

  public String id() {
    return id;
  }

  public AssetChange change() {
    return change;
  }

  public AssetUpdate(JsonObject j) {
    this(j.getString("id"), new AssetChange(j.getJsonObject("change", new JsonObject())));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("change", change.toJson());
  }
}

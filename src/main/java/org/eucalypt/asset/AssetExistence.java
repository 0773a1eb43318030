package org.eucalypt.asset;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eucalypt.bus.Json;

/**
 * {@code check_existence}'s answer, Gumnut's {@code AssetExistenceResponse}: the matching assets,
 * each an {@code AssetLiteResponse} ({@code id}, base64 {@code checksum} and
 * {@code checksum_sha1}, {@code device_asset_id}, {@code device_id}).
 */
@DataObject
public final class AssetExistence implements Json.Shape {
  private final JsonArray assets;

  public AssetExistence(JsonArray assets) {
    this.assets = assets;
  }

  public JsonArray assets() {
    return assets;
  }

  public AssetExistence(JsonObject j) {
    this(j.getJsonArray("assets"));
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("assets", assets);
  }
}

package org.eucalypt.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads {@code config/eucalypt.json} (from the working directory, else the copy inside the jar)
 * and the {@code EUCALYPT_*} environment with vertx-config, and turns them into {@link Settings}.
 */
public final class SettingsLoader {
  private SettingsLoader() {
  }

  public static Future<Settings> load(Vertx vertx) {
    JsonArray envKeys = new JsonArray();
    Settings.KEYS.forEach(k -> envKeys.add(Settings.envName(k)));
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
      .setIncludeDefaultStores(false)
      .addStore(new ConfigStoreOptions().setType("file").setFormat("json")
        .setConfig(new JsonObject().put("path", "config/eucalypt.json")))
      .addStore(new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("keys", envKeys).put("raw-data", true)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
      .eventually(retriever::close)
      .map(SettingsLoader::merge)
      .map(Settings::from);
  }

  /** Environment variables win over the file; their names map back onto the file's keys. */
  static JsonObject merge(JsonObject raw) {
    JsonObject merged = new JsonObject();
    for (String key : Settings.KEYS) {
      Object fromEnv = raw.getValue(Settings.envName(key));
      merged.put(key, fromEnv != null ? fromEnv : raw.getValue(key));
    }
    return merged;
  }
}

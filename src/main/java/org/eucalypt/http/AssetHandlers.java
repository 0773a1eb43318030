package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.asset.Asset;
import org.eucalypt.asset.AssetFilter;
import org.eucalypt.asset.AssetServiceImpl;
import org.eucalypt.config.Settings;
import org.eucalypt.storage.BlobStore;

import java.util.List;

import static org.eucalypt.http.Replies.caller;
import static org.eucalypt.http.Replies.path;
import static org.eucalypt.http.Replies.query;

/** The asset operations but the upload ({@link Uploads}), named after their operationIds in openapi.yaml. */
final class AssetHandlers {
  private static final int MAX_IDS = 200;

  private final AssetServiceImpl assets;
  private final BlobStore blobs;
  private final UrlSigner signer;
  private final Settings settings;

  AssetHandlers(AssetServiceImpl assets, BlobStore blobs, UrlSigner signer, Settings settings) {
    this.assets = assets;
    this.blobs = blobs;
    this.signer = signer;
    this.settings = settings;
  }

  void getAsset(RoutingContext ctx) {
    assets.getAsset(caller(ctx), path(ctx, "asset_id"), includes(ctx, "file_data"))
      .onSuccess(asset -> Replies.json(ctx, 200, withUrls(ctx, asset)))
      .onFailure(ctx::fail);
  }

  void listAssets(RoutingContext ctx) {
    List<String> ids = Replies.list(ctx, "ids");
    if (ids != null && ids.size() > MAX_IDS) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("ids"),
        "List should have at most " + MAX_IDS + " items", "too_long", null));
    }
    AssetFilter filter = new AssetFilter(query(ctx, "library_id"), orElse(query(ctx, "state"), "live"),
      orElse(query(ctx, "order"), "desc"), query(ctx, "media_type"), Replies.integer(ctx, "limit", 20),
      Replies.assetCursor(ctx, "starting_after_id"), ids, Replies.localTime(ctx, "local_datetime_after"),
      Replies.localTime(ctx, "local_datetime_before"), includes(ctx, "file_data"));
    assets.listAssets(caller(ctx), filter)
      .onSuccess(page -> {
        JsonObject json = page.toJson();
        for (int i = 0; i < page.data().size(); i++) {
          json.getJsonArray("data").set(i, withUrls(ctx, page.data().get(i)));
        }
        Replies.json(ctx, 200, json);
      })
      .onFailure(ctx::fail);
  }

  void countAssets(RoutingContext ctx) {
    AssetFilter filter = new AssetFilter(query(ctx, "library_id"), orElse(query(ctx, "state"), "live"), "desc", null,
      Replies.integer(ctx, "limit", 100), null, null, Replies.localTime(ctx, "local_datetime_after"),
      Replies.localTime(ctx, "local_datetime_before"), false);
    Replies.answer(ctx, 200, assets.countAssets(caller(ctx), filter));
  }

  void trashAssets(RoutingContext ctx) {
    Replies.answer(ctx, 200, assets.trashAssets(caller(ctx), query(ctx, "library_id"), bodyIds(ctx)));
  }

  void restoreAssets(RoutingContext ctx) {
    Replies.answer(ctx, 200, assets.restoreAssets(caller(ctx), query(ctx, "library_id"), bodyIds(ctx)));
  }

  void deleteAssets(RoutingContext ctx) {
    Replies.answer(ctx, 200, assets.deleteAssets(caller(ctx), query(ctx, "library_id"), bodyIds(ctx)));
  }

  void deleteAsset(RoutingContext ctx) {
    Replies.answer(ctx, 200, assets.deleteAsset(caller(ctx), path(ctx, "asset_id")));
  }

  void emptyTrash(RoutingContext ctx) {
    Replies.answer(ctx, 200, assets.emptyTrash(caller(ctx), query(ctx, "library_id")));
  }

  /** The stored bytes, with Range support; a signed URL or the owner's key grants it. */
  void downloadAssetOriginal(RoutingContext ctx) {
    assets.locateAsset(caller(ctx), path(ctx, "asset_id"))
      .compose(file -> Downloads.send(ctx, blobs, file))
      .onFailure(e -> {
        if (!ctx.response().ended()) {
          ctx.fail(e);
        }
      });
  }

  /** The ids of a bulk body ({@code {"ids": [...]}}). */
  private static List<String> bodyIds(RoutingContext ctx) {
    return Replies.body(ctx).getJsonArray("ids").stream().map(String::valueOf).toList();
  }

  /** The asset as the API answers it: with {@code asset_urls}, the absolute signed url of the original. */
  JsonObject withUrls(RoutingContext ctx, Asset asset) {
    String url = baseUrl(ctx) + "/api/assets/" + asset.id() + "/original?" + signer.sign(asset.id());
    return asset.toJson().put("asset_urls", new JsonObject().put("original", new JsonObject()
      .put("url", url)
      .put("mimetype", asset.mimeType())
      .put("width", asset.width())));
  }

  private String baseUrl(RoutingContext ctx) {
    if (!settings.publicUrl().isEmpty()) {
      return settings.publicUrl();
    }
    HttpServerRequest req = ctx.request();
    return req.scheme() + "://" + req.authority();
  }

  private static boolean includes(RoutingContext ctx, String part) {
    List<String> include = Replies.list(ctx, "include");
    return include != null && include.contains(part);
  }

  private static String orElse(String value, String otherwise) {
    return value == null ? otherwise : value;
  }
}

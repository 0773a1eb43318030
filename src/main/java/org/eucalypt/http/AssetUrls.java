package org.eucalypt.http;

import io.vertx.core.json.JsonObject;
import org.eucalypt.asset.Asset;
import org.eucalypt.rendition.Variant;

import java.util.Set;

/**
 * {@code asset_urls} as Gumnut answers them. Without {@code include=variants}, only the lean rung
 * a grid needs: {@code thumbnail} for an image, {@code thumbnail_image} for a video. With it,
 * {@code original} and every rung: {@code thumbnail}, {@code small}, {@code preview},
 * {@code fullsize} (a video's: the same with {@code _image}, renditions of its still).
 *
 * <p>The URLs are stable from the upload on: a rendition not made yet answers 404 at its URL
 * until its task has run, as Gumnut documents. Until then a rung carries the type it will have
 * and the width it is fitted to; once made (known with {@code include=variants}), its own.
 * {@code fullsize} of a photo a browser shows as it is (JPEG, PNG, WebP, GIF) is the original
 * itself. Every URL carries the asset's signature, so an {@code <img>} tag needs no key.
 */
final class AssetUrls {
  private static final Set<String> WEB_VIEWABLE = Set.of("image/jpeg", "image/png", "image/webp", "image/gif");
  private static final Variant[] LADDER = {Variant.THUMBNAIL, Variant.SMALL, Variant.PREVIEW, Variant.FULLSIZE};

  private AssetUrls() {
  }

  /** {@code base}: the address clients reach the server at; {@code signature}: the asset's query string. */
  static JsonObject of(String base, Asset asset, String signature, boolean everyRung) {
    boolean video = asset.mimeType().startsWith("video/");
    String prefix = base + "/api/assets/" + asset.id();
    JsonObject made = everyRung ? asset.parts().getJsonObject("variants", new JsonObject()) : new JsonObject();
    JsonObject urls = new JsonObject();
    if (!everyRung) {
      return urls.put(Variant.THUMBNAIL.key(video), rung(prefix, signature, asset, Variant.THUMBNAIL, video, made));
    }
    JsonObject original = new JsonObject()
      .put("url", prefix + "/original?" + signature)
      .put("mimetype", asset.mimeType())
      .put("width", asset.width());
    urls.put("original", original);
    for (Variant v : LADDER) {
      String key = v.key(video);
      boolean originalWillDo = v == Variant.FULLSIZE && !video && WEB_VIEWABLE.contains(asset.mimeType())
        && !made.containsKey(key);
      urls.put(key, originalWillDo ? original : rung(prefix, signature, asset, v, video, made));
    }
    return urls;
  }

  private static JsonObject rung(String prefix, String signature, Asset asset, Variant v, boolean video,
                                 JsonObject made) {
    String key = v.key(video);
    JsonObject rendition = made.getJsonObject(key);
    JsonObject rung = new JsonObject().put("url", prefix + "/variants/" + key + "?" + signature);
    if (rendition != null) {
      return rung.put("mimetype", rendition.getString("mimetype")).put("width", rendition.getInteger("width"));
    }
    // Not made yet: what the renditions engine will make (JPEG becomes WebP for a picture with transparency).
    return rung.put("mimetype", v == Variant.THUMBNAIL || v == Variant.SMALL ? "image/webp" : "image/jpeg")
      .put("width", fittedWidth(asset.width(), asset.height(), v.longestSide()));
  }

  /** The width of a picture fitted into a square box, never enlarged; {@code box} 0 is full size. */
  static Integer fittedWidth(Integer width, Integer height, int box) {
    if (width == null || height == null || width <= 0 || height <= 0) {
      return null;
    }
    if (box == 0 || Math.max(width, height) <= box) {
      return width;
    }
    return width >= height ? box : (int) Math.max(1, Math.round(width * (double) box / height));
  }
}

package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.asset.Asset;
import org.eucalypt.asset.AssetChange;
import org.eucalypt.asset.AssetEdits;
import org.eucalypt.asset.AssetFilter;
import org.eucalypt.asset.AssetServiceImpl;
import org.eucalypt.asset.AssetUpdate;
import org.eucalypt.asset.ExistenceQuery;
import org.eucalypt.config.Settings;
import org.eucalypt.storage.BlobStore;

import java.util.ArrayList;
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
    assets.getAsset(caller(ctx), path(ctx, "asset_id"), include(ctx))
      .onSuccess(asset -> Replies.json(ctx, 200, withUrls(ctx, asset)))
      .onFailure(ctx::fail);
  }

  void listAssets(RoutingContext ctx) {
    refuseUnsupported(ctx, UNSUPPORTED_LIST_FILTERS);
    List<String> ids = Replies.list(ctx, "ids");
    if (ids != null && ids.size() > MAX_IDS) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("ids"),
        "List should have at most " + MAX_IDS + " items", "too_long", null));
    }
    AssetFilter filter = new AssetFilter(query(ctx, "library_id"), orElse(query(ctx, "state"), "live"),
      orElse(query(ctx, "order"), "desc"), query(ctx, "media_type"), Replies.integer(ctx, "limit", 20),
      Replies.assetCursor(ctx, "starting_after_id"), ids, Replies.localTime(ctx, "local_datetime_after"),
      Replies.localTime(ctx, "local_datetime_before"), include(ctx), query(ctx, "stack_id"))
      .withAlbum(query(ctx, "album_id"), albumFilter(ctx)).withPersonIds(personIds(ctx, null));
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
    refuseUnsupported(ctx, UNSUPPORTED_COUNT_FILTERS);
    AssetFilter filter = new AssetFilter(query(ctx, "library_id"), orElse(query(ctx, "state"), "live"), "desc", null,
      Replies.integer(ctx, "limit", 20), null, null, Replies.localTime(ctx, "local_datetime_after"),
      Replies.localTime(ctx, "local_datetime_before"), List.of()).withAlbum(query(ctx, "album_id"), albumFilter(ctx))
      .withPersonIds(personIds(ctx, query(ctx, "person_id")));
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

  /** The edited asset, with its {@code metadata}: the part an edit changes. */
  void updateAsset(RoutingContext ctx) {
    AssetChange change = new AssetChange(Replies.body(ctx));
    refuse(AssetEdits.problem(change), new JsonArray().add("body"));
    assets.updateAsset(caller(ctx), path(ctx, "asset_id"), change)
      .onSuccess(asset -> Replies.json(ctx, 200, withUrls(ctx, asset)))
      .onFailure(ctx::fail);
  }

  /** Every item is checked before anything runs; the service applies them all or none. */
  void bulkUpdateAssets(RoutingContext ctx) {
    JsonArray items = Replies.body(ctx).getJsonArray("updates");
    List<AssetUpdate> updates = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      AssetUpdate update = new AssetUpdate(items.getJsonObject(i));
      refuse(AssetEdits.problem(update.change()), new JsonArray().add("body").add("updates").add(i).add("change"));
      updates.add(update);
    }
    Replies.answer(ctx, 200, assets.bulkUpdateAssets(caller(ctx), updates));
  }

  /** {@code library_id} is a query parameter; the keys to look for are the body (device ones in camelCase). */
  void checkExistence(RoutingContext ctx) {
    ExistenceQuery query = new ExistenceQuery(Replies.body(ctx).copy().put("library_id", query(ctx, "library_id")));
    String problem = query.problem();
    if (problem != null) {
      throw new Replies.InvalidParameter(Problems.invalid(new JsonArray().add("body"), "Value error, " + problem,
        "value_error", Replies.body(ctx)));
    }
    Replies.answer(ctx, 200, assets.checkExistence(caller(ctx), query));
  }

  /** A change that breaks a rule: 422 at the field (under {@code at}), or at the change itself. */
  private static void refuse(AssetEdits.Problem problem, JsonArray at) {
    if (problem != null) {
      JsonArray loc = at.copy();
      if (problem.field() != null) {
        loc.add(problem.field());
      }
      throw new Replies.InvalidParameter(Problems.invalid(loc, problem.message(), problem.type(), problem.input()));
    }
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

  /** A rendition, once made: 404 until then, and while its library is trashed. */
  void downloadAssetVariant(RoutingContext ctx) {
    assets.locateVariant(caller(ctx), path(ctx, "asset_id"), path(ctx, "variant"))
      .compose(file -> Downloads.send(ctx, blobs, file))
      .onFailure(e -> {
        if (!ctx.response().ended()) {
          ctx.fail(e);
        }
      });
  }

  /** {@code album_filter}, which must not contradict {@code album_id}: 422, as Gumnut documents. */
  private static String albumFilter(RoutingContext ctx) {
    String filter = query(ctx, "album_filter");
    if ("not_in_album".equals(filter) && query(ctx, "album_id") != null) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("album_filter"),
        "album_filter=not_in_album contradicts album_id", "value_error", filter));
    }
    return filter;
  }

  /** The ids of a bulk body ({@code {"ids": [...]}}). */
  private static List<String> bodyIds(RoutingContext ctx) {
    return Replies.body(ctx).getJsonArray("ids").stream().map(String::valueOf).toList();
  }

  /**
   * The asset as the API answers it: with {@code asset_urls} (see {@link AssetUrls}), and without
   * the renditions list they are built from.
   */
  JsonObject withUrls(RoutingContext ctx, Asset asset) {
    JsonObject json = asset.toJson();
    json.remove("variants");
    return json.put("asset_urls",
      AssetUrls.of(baseUrl(ctx), asset, signer.sign(asset.id()), asset.parts().containsKey("variants")));
  }

  private String baseUrl(RoutingContext ctx) {
    if (!settings.publicUrl().isEmpty()) {
      return settings.publicUrl();
    }
    HttpServerRequest req = ctx.request();
    return req.scheme() + "://" + req.authority();
  }

  /** The opt-in parts asked for, repeated or comma-separated; an unknown one is a 422. */
  private static List<String> include(RoutingContext ctx) {
    List<String> include = Replies.list(ctx, "include");
    if (include == null) {
      return List.of();
    }
    for (String part : include) {
      if (!Asset.PARTS.contains(part)) {
        throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("include"),
          "Input should be " + String.join(", ", Asset.PARTS.stream().map(p -> "'" + p + "'").toList()), "enum", part));
      }
    }
    return include;
  }

  /**
   * {@code person_ids} (at most 200), or the one {@code person_id} counts still take (Gumnut's
   * deprecated alias, not to be combined with it); null when neither is given.
   */
  private static List<String> personIds(RoutingContext ctx, String alias) {
    List<String> ids = Replies.list(ctx, "person_ids");
    if (ids != null && alias != null) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("person_id"),
        "person_id is an alias for one person_ids value; give one or the other", "value_error", alias));
    }
    if (ids != null && ids.size() > MAX_IDS) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("person_ids"),
        "List should have at most " + MAX_IDS + " items", "too_long", null));
    }
    return alias != null ? List.of(alias) : ids;
  }

  /**
   * Filters Gumnut's SDK sends that need the library's places, which
   * eucalypt does not hold yet: refused by name rather than ignored, since ignoring one would
   * answer a wrong list with a 200.
   */
  private static final List<String> UNSUPPORTED_LIST_FILTERS =
    List.of("bbox", "center", "radius");
  private static final List<String> UNSUPPORTED_COUNT_FILTERS = List.of();

  private static void refuseUnsupported(RoutingContext ctx, List<String> filters) {
    for (String name : filters) {
      String value = ctx.request().getParam(name);
      if (value != null) {
        throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc(name),
          "This server does not support the " + name + " filter yet", "unsupported_filter", value));
      }
    }
  }

  private static String orElse(String value, String otherwise) {
    return value == null ? otherwise : value;
  }
}

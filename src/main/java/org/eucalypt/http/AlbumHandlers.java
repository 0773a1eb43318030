package org.eucalypt.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import org.eucalypt.album.AlbumChanges;
import org.eucalypt.album.AlbumFilter;
import org.eucalypt.album.AlbumService;
import org.eucalypt.id.Ids;

import java.util.List;

import static org.eucalypt.http.Replies.caller;
import static org.eucalypt.http.Replies.path;
import static org.eucalypt.http.Replies.query;

/** Albums and their memberships, named after their operationIds in openapi.yaml. */
final class AlbumHandlers {
  private static final int MAX_IDS = 200;

  private final AlbumService albums;

  AlbumHandlers(AlbumService albums) {
    this.albums = albums;
  }

  void createAlbum(RoutingContext ctx) {
    Replies.answer(ctx, 201, albums.createAlbum(caller(ctx), new AlbumChanges(optionalBody(ctx))));
  }

  void getAlbum(RoutingContext ctx) {
    Replies.answer(ctx, 200, albums.getAlbum(caller(ctx), path(ctx, "album_id")));
  }

  void listAlbums(RoutingContext ctx) {
    AlbumFilter filter = new AlbumFilter(query(ctx, "library_id"), null, query(ctx, "asset_id"), ids(ctx),
      Replies.integer(ctx, "limit", 20), cursor(ctx, Ids.ALBUM));
    Replies.answer(ctx, 200, albums.listAlbums(caller(ctx), filter));
  }

  void updateAlbum(RoutingContext ctx) {
    Replies.answer(ctx, 200, albums.updateAlbum(caller(ctx), path(ctx, "album_id"), new AlbumChanges(optionalBody(ctx))));
  }

  void deleteAlbum(RoutingContext ctx) {
    Replies.answer(ctx, 200, albums.deleteAlbum(caller(ctx), path(ctx, "album_id")));
  }

  void addAssetsToAlbum(RoutingContext ctx) {
    Replies.answer(ctx, 200, albums.addAssetsToAlbum(caller(ctx), path(ctx, "album_id"), assetIds(ctx)));
  }

  void removeAssetsFromAlbum(RoutingContext ctx) {
    Replies.answer(ctx, 200, albums.removeAssetsFromAlbum(caller(ctx), path(ctx, "album_id"), assetIds(ctx)));
  }

  void listAlbumAssets(RoutingContext ctx) {
    AlbumFilter filter = new AlbumFilter(query(ctx, "library_id"), query(ctx, "album_id"), query(ctx, "asset_id"),
      ids(ctx), Replies.integer(ctx, "limit", 20), cursor(ctx, Ids.ALBUM_ASSET));
    Replies.answer(ctx, 200, albums.listAlbumAssets(caller(ctx), filter));
  }

  void getAlbumAsset(RoutingContext ctx) {
    Replies.answer(ctx, 200, albums.getAlbumAsset(caller(ctx), path(ctx, "album_asset_id")));
  }

  /** A JSON body the operation may go without (the SDK sends {@code {}} when nothing is set). */
  private static JsonObject optionalBody(RoutingContext ctx) {
    RequestParameter body = Replies.validated(ctx).getBody();
    return body == null || body.isNull() || body.isEmpty() ? new JsonObject() : body.getJsonObject();
  }

  private static List<String> assetIds(RoutingContext ctx) {
    return Replies.body(ctx).getJsonArray("asset_ids").stream().map(String::valueOf).toList();
  }

  /** {@code ids=}, repeated or comma-separated, at most 200. */
  private static List<String> ids(RoutingContext ctx) {
    List<String> ids = Replies.list(ctx, "ids");
    if (ids != null && ids.size() > MAX_IDS) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("ids"),
        "List should have at most " + MAX_IDS + " items", "too_long", null));
    }
    return ids;
  }

  /** {@code starting_after_id}: an id of the listed kind, else 422 at its location. */
  private static String cursor(RoutingContext ctx, Ids kind) {
    String cursor = query(ctx, "starting_after_id");
    if (cursor != null && kind.parse(cursor).isEmpty()) {
      throw new Replies.InvalidParameter(Problems.invalid(Replies.queryLoc("starting_after_id"),
        "Invalid " + kind.name().toLowerCase() + " id", "value_error", cursor));
    }
    return cursor;
  }
}

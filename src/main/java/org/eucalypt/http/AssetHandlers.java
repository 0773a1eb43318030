package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import org.eucalypt.asset.AssetVerticle;
import org.eucalypt.asset.MediaTypes;
import org.eucalypt.config.Settings;
import org.eucalypt.id.Ids;
import org.eucalypt.storage.BlobStore;
import org.eucalypt.storage.BlobStore.StagedBlob;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The asset operations, named after their operationIds in openapi.yaml. */
final class AssetHandlers {
  private static final int MAX_IDS = 200;
  private static final int MAX_FILE_NAME = 1024;
  private static final String[] REQUIRED_FIELDS = {"device_asset_id", "device_id", "file_created_at", "file_modified_at"};

  private final EventBus bus;
  private final BlobStore blobs;
  private final UrlSigner signer;
  private final Settings settings;

  AssetHandlers(EventBus bus, BlobStore blobs, UrlSigner signer, Settings settings) {
    this.bus = bus;
    this.blobs = blobs;
    this.signer = signer;
    this.settings = settings;
  }

  /**
   * Streams the {@code asset_data} part to the blob store's staging area while hashing it, so
   * memory does not grow with the file; the other fields are checked once the body has ended.
   */
  void createAsset(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String contentType = req.getHeader("content-type");
    if (contentType == null || !contentType.toLowerCase().startsWith("multipart/form-data")) {
      Problems.unprocessable(ctx, Problems.invalid(new JsonArray().add("body").add("asset_data"),
        "Field required", "missing", null));
      return;
    }
    if (ctx.response().closed()) {
      // The client left while the request waited, paused, for authentication: that failure was
      // reported before this handler could listen, so a staging begun now would never end.
      return;
    }
    String boundary = MalformedRequests.boundary(contentType);
    if (boundary == null) {
      Problems.send(ctx, 400, "Malformed multipart body: the Content-Type needs a boundary of 1 to 70 characters");
      return;
    }
    Promise<Upload> upload = Promise.promise();
    UploadForm form = UploadForm.read(req, boundary, part -> {
      String fileName = baseName(part.fileName());
      // Staged as it arrives; if the body turns out malformed or the client leaves, the part
      // fails and the staging removes what it wrote.
      blobs.stage(part, settings.maxUploadBytes())
        .map(staged -> new Upload(fileName, part.contentType(), staged))
        .onComplete(upload);
    });
    form.fields().onComplete(fields -> {
      Future<Upload> file = form.fileSeen() ? upload.future() : Future.succeededFuture();
      file.onComplete(staged -> {
        if (fields.succeeded() && staged.succeeded()) {
          finishUpload(ctx, fields.result(), staged.result());
          return;
        }
        // Whatever failed, nothing of the upload may stay: a file staged whole is discarded
        // before the client hears. The body's fault comes first (400), then the storage's.
        Future<Void> gone = staged.succeeded() && staged.result() != null
          ? blobs.discard(staged.result().staged()) : Future.succeededFuture();
        gone.onComplete(x -> ctx.fail(fields.failed() ? fields.cause() : staged.cause()));
      });
    });
  }

  private record Upload(String fileName, String declaredType, StagedBlob staged) {
  }

  private void finishUpload(RoutingContext ctx, MultiMap form, Upload upload) {
    List<JsonObject> errors = new ArrayList<>();
    if (upload == null) {
      errors.add(Problems.invalid(bodyLoc("asset_data"), "Field required", "missing", null));
    }
    JsonObject request = new JsonObject();
    for (String field : REQUIRED_FIELDS) {
      String value = form.get(field);
      if (value == null) {
        errors.add(Problems.invalid(bodyLoc(field), "Field required", "missing", null));
      } else if (field.endsWith("_at")) {
        OffsetDateTime t = parseTime(value);
        if (t == null) {
          errors.add(Problems.invalid(bodyLoc(field), "Input should be a valid datetime", "datetime_from_date_parsing",
            value));
        } else {
          request.put(field, t.toString());
        }
      } else {
        request.put(field, value);
      }
    }
    String mime = null;
    if (upload != null) {
      if (upload.staged().tooLarge()) {
        String detail = "File too large: the limit is " + settings.maxUploadBytes() + " bytes";
        reject(upload, () -> Problems.send(ctx, 413, detail));
        return;
      }
      if (upload.staged().size() == 0) {
        errors.add(Problems.invalid(bodyLoc("asset_data"), "The file is empty", "value_error", upload.fileName()));
      }
      mime = MediaTypes.of(upload.fileName(), upload.declaredType()).orElse(null);
      if (mime == null) {
        errors.add(Problems.invalid(bodyLoc("asset_data"),
          "Unsupported file type: only photos and videos can be uploaded", "value_error", upload.fileName()));
      }
      if (upload.fileName().length() > MAX_FILE_NAME) {
        errors.add(Problems.invalid(bodyLoc("asset_data"), "File name should have at most " + MAX_FILE_NAME
          + " characters", "string_too_long", null));
      }
    }
    String libraryParam = Optional.ofNullable(form.get("library_id")).orElse(ctx.request().getParam("library_id"));
    if (!errors.isEmpty()) {
      reject(upload, () -> Problems.unprocessable(ctx, errors.toArray(JsonObject[]::new)));
      return;
    }
    if (libraryParam != null) {
      Optional<UUID> library = Ids.LIBRARY.parse(libraryParam);
      if (library.isEmpty()) {
        reject(upload, () -> Problems.send(ctx, 404, "Not found"));
        return;
      }
      request.put("library_id", library.get().toString());
    }
    request.put("staged", upload.staged().toJson())
      .put("mime_type", mime)
      .put("original_file_name", upload.fileName().isEmpty() ? "upload" : upload.fileName());
    Replies.<JsonObject>ask(bus, ctx, AssetVerticle.CREATE, request)
      .onSuccess(result -> Replies.json(ctx, result.getBoolean("created") ? 201 : 200,
        withUrls(ctx, result.getJsonObject("asset"))))
      .onFailure(ctx::fail);
  }

  /**
   * Answers a refused upload only once its staged file is gone, so that when the client hears
   * "no", nothing of its upload is left in storage (the discard used to race the answer).
   */
  private void reject(Upload upload, Runnable answer) {
    Future<Void> gone = upload == null ? Future.succeededFuture() : blobs.discard(upload.staged());
    gone.onComplete(ar -> answer.run());
  }

  void getAsset(RoutingContext ctx) {
    Optional<UUID> id = Ids.ASSET.parse(Replies.path(ctx, "asset_id"));
    if (id.isEmpty()) {
      Problems.send(ctx, 404, "Not found");
      return;
    }
    Replies.<JsonObject>ask(bus, ctx, AssetVerticle.GET, new JsonObject()
        .put("asset_id", id.get().toString())
        .put("include_file_data", includes(ctx, "file_data")))
      .onSuccess(asset -> Replies.json(ctx, 200, withUrls(ctx, asset)))
      .onFailure(ctx::fail);
  }

  void listAssets(RoutingContext ctx) {
    JsonObject request = new JsonObject()
      .put("include_file_data", includes(ctx, "file_data"));
    for (String name : new String[] {"state", "order", "media_type"}) {
      String value = Replies.query(ctx, name);
      if (value != null) {
        request.put(name, value);
      }
    }
    String limit = Replies.query(ctx, "limit");
    request.put("limit", limit == null ? 20 : Integer.parseInt(limit));

    if (!putLibrary(ctx, request)) {
      return;
    }
    String cursor = Replies.query(ctx, "starting_after_id");
    if (cursor != null) {
      Optional<UUID> id = Ids.ASSET.parse(cursor);
      if (id.isEmpty()) {
        Problems.unprocessable(ctx, Problems.invalid(queryLoc("starting_after_id"), "Invalid asset id", "value_error",
          cursor));
        return;
      }
      request.put("starting_after_id", id.get().toString());
    }
    List<String> ids = listParam(ctx, "ids");
    if (ids != null) {
      if (ids.size() > MAX_IDS) {
        Problems.unprocessable(ctx, Problems.invalid(queryLoc("ids"), "List should have at most 200 items", "too_long",
          null));
        return;
      }
      JsonArray uuids = new JsonArray();
      // An id that cannot exist matches nothing, like an id that does not.
      ids.forEach(i -> Ids.ASSET.parse(i).ifPresent(u -> uuids.add(u.toString())));
      request.put("ids", uuids);
    }
    if (!putTimeBounds(ctx, request)) {
      return;
    }
    Replies.<JsonObject>ask(bus, ctx, AssetVerticle.LIST, request)
      .onSuccess(page -> {
        page.getJsonArray("data").forEach(a -> withUrls(ctx, (JsonObject) a));
        Replies.json(ctx, 200, page);
      })
      .onFailure(ctx::fail);
  }

  void trashAssets(RoutingContext ctx) {
    onAssetIds(ctx, AssetVerticle.TRASH);
  }

  void restoreAssets(RoutingContext ctx) {
    onAssetIds(ctx, AssetVerticle.RESTORE);
  }

  void deleteAssets(RoutingContext ctx) {
    onAssetIds(ctx, AssetVerticle.DELETE);
  }

  void deleteAsset(RoutingContext ctx) {
    Optional<UUID> id = Ids.ASSET.parse(Replies.path(ctx, "asset_id"));
    if (id.isEmpty()) {
      Problems.send(ctx, 404, "Not found");
      return;
    }
    Replies.ask(bus, ctx, AssetVerticle.DELETE, new JsonObject().put("asset_id", id.get().toString()))
      .onSuccess(answer -> Replies.json(ctx, 200, answer))
      .onFailure(ctx::fail);
  }

  void emptyTrash(RoutingContext ctx) {
    JsonObject request = new JsonObject();
    if (putLibrary(ctx, request)) {
      Replies.ask(bus, ctx, AssetVerticle.EMPTY_TRASH, request)
        .onSuccess(answer -> Replies.json(ctx, 200, answer))
        .onFailure(ctx::fail);
    }
  }

  void countAssets(RoutingContext ctx) {
    JsonObject request = new JsonObject();
    String state = Replies.query(ctx, "state");
    if (state != null) {
      request.put("state", state);
    }
    String limit = Replies.query(ctx, "limit");
    if (limit != null) {
      request.put("limit", Integer.parseInt(limit));
    }
    if (putLibrary(ctx, request) && putTimeBounds(ctx, request)) {
      Replies.ask(bus, ctx, AssetVerticle.COUNTS, request)
        .onSuccess(answer -> Replies.json(ctx, 200, answer))
        .onFailure(ctx::fail);
    }
  }

  /**
   * A bulk operation on {@code {"ids": [...]}}: an id that cannot exist is unknown, and one
   * unknown id makes the whole call 404 with nothing changed.
   */
  private void onAssetIds(RoutingContext ctx, String address) {
    JsonObject request = new JsonObject();
    if (!putLibrary(ctx, request)) {
      return;
    }
    JsonArray ids = new JsonArray();
    for (Object id : Replies.validated(ctx).getBody().getJsonObject().getJsonArray("ids")) {
      Optional<UUID> uuid = Ids.ASSET.parse(String.valueOf(id));
      if (uuid.isEmpty()) {
        Problems.send(ctx, 404, "Not found");
        return;
      }
      ids.add(uuid.get().toString());
    }
    Replies.ask(bus, ctx, address, request.put("ids", ids))
      .onSuccess(answer -> Replies.json(ctx, 200, answer))
      .onFailure(ctx::fail);
  }

  /** Puts the {@code library_id} query parameter, if any; a malformed one answers 404. */
  private static boolean putLibrary(RoutingContext ctx, JsonObject request) {
    String library = Replies.query(ctx, "library_id");
    if (library == null) {
      return true;
    }
    Optional<UUID> id = Ids.LIBRARY.parse(library);
    if (id.isEmpty()) {
      Problems.send(ctx, 404, "Not found");
      return false;
    }
    request.put("library_id", id.get().toString());
    return true;
  }

  /** Puts {@code local_datetime_after/before}, if any; an unparseable one answers 422. */
  private static boolean putTimeBounds(RoutingContext ctx, JsonObject request) {
    for (String name : new String[] {"local_datetime_after", "local_datetime_before"}) {
      // Read once-decoded from the request: the validated copy is URL-decoded a second time by
      // vertx-openapi, which turns the "+" of an offset ("%2B02:00", as the SDKs send it) into a space.
      String v = ctx.request().getParam(name);
      if (v != null) {
        OffsetDateTime t = parseTime(v);
        if (t == null) {
          Problems.unprocessable(ctx, Problems.invalid(queryLoc(name), "Input should be a valid datetime",
            "datetime_from_date_parsing", v));
          return false;
        }
        request.put(name, t.toString());
      }
    }
    return true;
  }

  /** The stored bytes, with Range support; a signed URL or the owner's key grants it. */
  void downloadAssetOriginal(RoutingContext ctx) {
    Optional<UUID> id = Ids.ASSET.parse(Replies.path(ctx, "asset_id"));
    if (id.isEmpty()) {
      Problems.send(ctx, 404, "Not found");
      return;
    }
    JsonObject request = new JsonObject().put("asset_id", id.get().toString());
    Replies.<JsonObject>ask(bus, ctx, AssetVerticle.LOCATE, request)
      .compose(file -> Downloads.send(ctx, blobs, file))
      .onFailure(e -> {
        if (!ctx.response().ended()) {
          ctx.fail(e);
        }
      });
  }

  /** Adds {@code asset_urls}: the absolute, signed url of the original bytes. */
  private JsonObject withUrls(RoutingContext ctx, JsonObject asset) {
    String id = asset.getString("id");
    String url = baseUrl(ctx) + "/api/assets/" + id + "/original?" + signer.sign(id);
    asset.put("asset_urls", new JsonObject().put("original", new JsonObject()
      .put("url", url)
      .put("mimetype", asset.getString("mime_type"))
      .put("width", asset.getInteger("width"))));
    return asset;
  }

  private String baseUrl(RoutingContext ctx) {
    if (!settings.publicUrl().isEmpty()) {
      return settings.publicUrl();
    }
    HttpServerRequest req = ctx.request();
    return req.scheme() + "://" + req.authority();
  }

  private static boolean includes(RoutingContext ctx, String part) {
    List<String> include = listParam(ctx, "include");
    return include != null && include.contains(part);
  }

  /** An array query parameter, given as repeated keys or comma-separated, or both. */
  static List<String> listParam(RoutingContext ctx, String name) {
    RequestParameter p = Replies.validated(ctx).getQuery().get(name);
    if (p == null || p.isNull()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    Object v = p.get();
    Iterable<?> items = v instanceof JsonArray a ? a : List.of(v);
    for (Object item : items) {
      for (String s : String.valueOf(item).split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  /** ISO 8601 with an offset, {@code Z}, or none (taken as UTC), as the SDKs send them. */
  static OffsetDateTime parseTime(String value) {
    try {
      return OffsetDateTime.parse(value);
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(value).atOffset(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static String baseName(String fileName) {
    if (fileName == null) {
      return "";
    }
    String s = fileName.replace('\\', '/');
    return s.substring(s.lastIndexOf('/') + 1);
  }

  private static JsonArray bodyLoc(String field) {
    return new JsonArray().add("body").add(field);
  }

  private static JsonArray queryLoc(String field) {
    return new JsonArray().add("query").add(field);
  }
}

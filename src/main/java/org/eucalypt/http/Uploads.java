package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eucalypt.asset.AssetServiceImpl;
import org.eucalypt.asset.AssetServiceImpl.NewAsset;
import org.eucalypt.asset.MediaTypes;
import org.eucalypt.asset.WallClock;
import org.eucalypt.config.Settings;
import org.eucalypt.storage.BlobStore;
import org.eucalypt.storage.BlobStore.StagedBlob;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.eucalypt.http.Replies.bodyLoc;

/**
 * {@code create_asset}: a multipart upload, streamed to the blob store's staging area while it
 * is hashed ({@link UploadForm}), then handed to the asset service, which keeps it or finds the
 * same bytes already there. Nothing of a refused upload stays in storage.
 */
final class Uploads {
  private static final int MAX_FILE_NAME = 1024;
  private static final String[] REQUIRED_FIELDS = {"device_asset_id", "device_id", "file_created_at", "file_modified_at"};

  private final AssetServiceImpl assets;
  private final AssetHandlers handlers;
  private final BlobStore blobs;
  private final Settings settings;

  Uploads(AssetServiceImpl assets, AssetHandlers handlers, BlobStore blobs, Settings settings) {
    this.assets = assets;
    this.handlers = handlers;
    this.blobs = blobs;
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
    for (String field : REQUIRED_FIELDS) {
      String value = form.get(field);
      if (value == null) {
        errors.add(Problems.invalid(bodyLoc(field), "Field required", "missing", null));
      } else if (field.endsWith("_at") && Replies.parseTime(value) == null) {
        errors.add(Problems.invalid(bodyLoc(field), "Input should be a valid datetime", "datetime_from_date_parsing",
          value));
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
    NewAsset asset = new NewAsset(libraryParam, form.get("device_asset_id"), form.get("device_id"),
      WallClock.parse(form.get("file_created_at")), Replies.parseTime(form.get("file_modified_at")), mime,
      upload.fileName().isEmpty() ? "upload" : upload.fileName());
    // The service discards the staged file on any failure before it answers.
    assets.createAsset(Replies.caller(ctx), asset, upload.staged())
      .onSuccess(result -> Replies.json(ctx, result.created() ? 201 : 200, handlers.withUrls(ctx, result.asset())))
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

  private static String baseName(String fileName) {
    if (fileName == null) {
      return "";
    }
    String s = fileName.replace('\\', '/');
    return s.substring(s.lastIndexOf('/') + 1);
  }
}

package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import org.eucalypt.album.AlbumServiceImpl;
import org.eucalypt.asset.AssetServiceImpl;
import org.eucalypt.auth.AuthServiceImpl;
import org.eucalypt.auth.Authenticator;
import org.eucalypt.auth.Permissions;
import org.eucalypt.config.Settings;
import org.eucalypt.event.EventServiceImpl;
import org.eucalypt.library.LibraryServiceImpl;
import org.eucalypt.rendition.TaskServiceImpl;
import org.eucalypt.storage.BlobStore;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP face of eucalypt. Its operations and request validation come from {@code openapi.yaml}
 * (vertx-openapi): {@link RouteGuard} finds the operation of a request, {@link Operations}
 * validates it and calls the handler of the same name.
 * Handlers know HTTP only. They call this verticle's own instances of the lifecycle services
 * in-process, so a request is served on the event loop that took it, with no hop to another
 * thread; the same services face other Vert.x services on the event bus (bus.ServiceVerticle).
 */
public class ApiVerticle extends VerticleBase {
  private final Settings settings;
  private final BlobStore blobs;
  private final UrlSigner signer;
  private final Clock clock;
  private HttpServer server;

  public ApiVerticle(Settings settings, BlobStore blobs, UrlSigner signer, Clock clock) {
    this.settings = settings;
    this.blobs = blobs;
    this.signer = signer;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return OpenAPIContract.from(vertx, "openapi.yaml").compose(contract -> {
      Router router = router(contract);
      HttpServerOptions options = new HttpServerOptions()
        .setPort(settings.httpPort())
        .setCompressionSupported(true)
        // No WebSockets here: without their compression, no handler for it sits in every connection's pipeline.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // Clients (curl, httpx) ask before sending a large upload; answer at once, not after their timeout.
        .setHandle100ContinueAutomatically(true)
        .setMaxHeaderSize(16 * 1024)
        // A list of 200 asset ids in the query string is about 7 KB.
        .setMaxInitialLineLength(16 * 1024);
      return vertx.createHttpServer(options)
        .invalidRequestHandler(MalformedRequests::refuseUnparsed)
        .requestHandler(router).listen();
    }).onSuccess(s -> server = s);
  }

  /**
   * Graceful: the listener closes at once, requests under way finish (an upload streams to its
   * end), each connection closes after its last response, and connections still busy after
   * {@code shutdown_timeout} are cut. Undeploying would otherwise close the server outright.
   */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
      : server.shutdown(settings.shutdownTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  private Router router(OpenAPIContract contract) {
    Router router = Router.router(vertx);
    // The handlers every request passes, in order, on one route.
    Route everyRequest = router.route();
    BodyHandler body = BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes());
    Authentication authentication = new Authentication(new Authenticator(vertx, settings, clock), signer,
      new Permissions(contract));
    // First of all: a request id, and one access-log line and the HTTP meters when the request ends.
    everyRequest.handler(org.eucalypt.ops.RequestLog.create(
      org.eucalypt.ops.HttpMetrics.of(org.eucalypt.ops.Metrics.registry(vertx))));
    // A URL that cannot be decoded is refused before anything reads its parameters.
    everyRequest.handler(MalformedRequests::checkUrl);
    // Which operation serves the request; an unserved method or a Gumnut path eucalypt does not
    // serve: 405 or 404, before any key is asked for.
    everyRequest.handler(new RouteGuard(contract)::handle);
    // Uploads stream their body themselves; everything else is read whole, within the limit.
    everyRequest.handler(ctx -> {
      if (isUpload(ctx)) {
        ctx.request().pause();
        ctx.next();
      } else {
        body.handle(ctx);
      }
    });
    everyRequest.handler(authentication::handle);
    everyRequest.handler(QueryDecoding::protect);
    everyRequest.handler(StrictJson::check);

    AuthHandlers auth = new AuthHandlers(new AuthServiceImpl(vertx, settings));
    EventHandlers events = new EventHandlers(new EventServiceImpl(vertx, settings));
    LibraryHandlers libraries = new LibraryHandlers(new LibraryServiceImpl(vertx, settings, clock));
    AssetServiceImpl assetService = new AssetServiceImpl(vertx, settings, clock, blobs);
    AssetHandlers assets = new AssetHandlers(assetService, blobs, signer, settings);
    Uploads uploads = new Uploads(assetService, assets, blobs, settings);
    TaskHandlers tasks = new TaskHandlers(new TaskServiceImpl(vertx, settings));
    StackHandlers stacks = new StackHandlers(new org.eucalypt.stack.StackServiceImpl(vertx, settings, clock));
    AlbumHandlers albums = new AlbumHandlers(new AlbumServiceImpl(vertx, settings, clock));
    PeopleHandlers people = new PeopleHandlers(new org.eucalypt.person.PeopleServiceImpl(vertx, settings, clock));
    Map<String, Handler<RoutingContext>> operations = Map.ofEntries(
      // text/plain, as Gumnut answers it: the SDKs ask for text and return the body as it is.
      Map.entry("ping", ctx -> ctx.response().putHeader("content-type", "text/plain; charset=utf-8").end("pong")),
      Map.entry("get_current_user", auth::getCurrentUser),
      Map.entry("get_events", events::getEvents),
      Map.entry("create_api_key", auth::createApiKey),
      Map.entry("list_api_keys", auth::listApiKeys),
      Map.entry("update_api_key", auth::updateApiKey),
      Map.entry("delete_api_key", auth::deleteApiKey),
      Map.entry("create_library", libraries::createLibrary),
      Map.entry("list_libraries", libraries::listLibraries),
      Map.entry("get_library", libraries::getLibrary),
      Map.entry("update_library", libraries::updateLibrary),
      Map.entry("trash_library", libraries::trashLibrary),
      Map.entry("restore_library", libraries::restoreLibrary),
      Map.entry("delete_library", libraries::deleteLibrary),
      Map.entry("create_asset", uploads::createAsset),
      Map.entry("get_asset", assets::getAsset),
      Map.entry("list_assets", assets::listAssets),
      Map.entry("count_assets", assets::countAssets),
      Map.entry("trash_assets", assets::trashAssets),
      Map.entry("restore_assets", assets::restoreAssets),
      Map.entry("delete_assets", assets::deleteAssets),
      Map.entry("delete_asset", assets::deleteAsset),
      Map.entry("empty_trash", assets::emptyTrash),
      Map.entry("update_asset", assets::updateAsset),
      Map.entry("bulk_update_assets", assets::bulkUpdateAssets),
      Map.entry("check_existence", assets::checkExistence),
      Map.entry("download_asset_original", assets::downloadAssetOriginal),
      Map.entry("head_asset_original", assets::downloadAssetOriginal),
      Map.entry("download_asset_variant", assets::downloadAssetVariant),
      Map.entry("head_asset_variant", assets::downloadAssetVariant),
      Map.entry("list_tasks", tasks::listTasks),
      Map.entry("get_task", tasks::getTask),
      Map.entry("list_tasks_for_asset", tasks::listTasksForAsset),
      Map.entry("create_stack", stacks::createStack),
      Map.entry("list_stacks", stacks::listStacks),
      Map.entry("get_stack", stacks::getStack),
      Map.entry("set_cover", stacks::setCover),
      Map.entry("delete_stack", stacks::deleteStack),
      Map.entry("add_assets_to_stack", stacks::addAssetsToStack),
      Map.entry("remove_assets_from_stack", stacks::removeAssetsFromStack),
      Map.entry("create_album", albums::createAlbum),
      Map.entry("list_albums", albums::listAlbums),
      Map.entry("get_album", albums::getAlbum),
      Map.entry("update_album", albums::updateAlbum),
      Map.entry("delete_album", albums::deleteAlbum),
      Map.entry("add_assets_to_album", albums::addAssetsToAlbum),
      Map.entry("remove_assets_from_album", albums::removeAssetsFromAlbum),
      Map.entry("list_album_assets", albums::listAlbumAssets),
      Map.entry("get_album_asset", albums::getAlbumAsset),
      Map.entry("create_person", people::createPerson),
      Map.entry("list_people", people::listPeople),
      Map.entry("get_person", people::getPerson),
      Map.entry("update_person", people::updatePerson),
      Map.entry("delete_person", people::deletePerson),
      Map.entry("merge_people", people::mergePeople),
      Map.entry("create_face", people::createFace),
      Map.entry("list_faces", people::listFaces),
      Map.entry("get_face", people::getFace),
      Map.entry("update_face", people::updateFace),
      Map.entry("delete_face", people::deleteFace));

    // Then the operation, validated, to its handler. The multipart body of an upload is
    // validated while it streams, not buffered for the schema validator.
    everyRequest.handler(new Operations(vertx, contract, operations, Set.of("create_asset"))::handle);

    // Without the internal keys vertx-openapi adds while parsing, which break viewers and SDK generators.
    JsonObject document = org.eucalypt.ops.Docs.published(contract.getRawContract());
    router.get("/openapi.json").handler(ctx -> Replies.json(ctx, 200, document));
    // /health/live, /health/ready, /metrics and /docs: outside /api, so no key (see ops.Ops).
    org.eucalypt.ops.Ops.mount(vertx, router, settings, document);
    router.route().last().handler(ctx -> Problems.send(ctx, 404, "Not Found"));
    router.route().failureHandler(Problems::handleFailure);
    router.errorHandler(405, ctx -> Problems.send(ctx, 405, "Method Not Allowed"));
    router.errorHandler(404, ctx -> Problems.send(ctx, 404, "Not Found"));
    return router;
  }

  private static boolean isUpload(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    return ctx.request().method() == io.vertx.core.http.HttpMethod.POST
      && ("/api/assets".equals(path) || "/api/assets/".equals(path));
  }
}

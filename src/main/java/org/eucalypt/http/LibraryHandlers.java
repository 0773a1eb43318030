package org.eucalypt.http;

import io.vertx.ext.web.RoutingContext;
import org.eucalypt.library.LibraryChanges;
import org.eucalypt.library.LibraryService;

import static org.eucalypt.http.Replies.answer;
import static org.eucalypt.http.Replies.caller;
import static org.eucalypt.http.Replies.path;

/** The library operations, named after their operationIds in openapi.yaml. */
final class LibraryHandlers {
  private final LibraryService libraries;

  LibraryHandlers(LibraryService libraries) {
    this.libraries = libraries;
  }

  void createLibrary(RoutingContext ctx) {
    answer(ctx, 201, libraries.createLibrary(caller(ctx), new LibraryChanges(Replies.body(ctx))));
  }

  void listLibraries(RoutingContext ctx) {
    answer(ctx, 200, libraries.listLibraries(caller(ctx), Replies.query(ctx, "state")));
  }

  void getLibrary(RoutingContext ctx) {
    answer(ctx, 200, libraries.getLibrary(caller(ctx), path(ctx, "library_id")));
  }

  void updateLibrary(RoutingContext ctx) {
    answer(ctx, 200, libraries.updateLibrary(caller(ctx), path(ctx, "library_id"), new LibraryChanges(Replies.body(ctx))));
  }

  void trashLibrary(RoutingContext ctx) {
    answer(ctx, 200, libraries.trashLibrary(caller(ctx), path(ctx, "library_id")));
  }

  void restoreLibrary(RoutingContext ctx) {
    answer(ctx, 200, libraries.restoreLibrary(caller(ctx), path(ctx, "library_id")));
  }

  void deleteLibrary(RoutingContext ctx) {
    answer(ctx, 200, libraries.deleteLibrary(caller(ctx), path(ctx, "library_id")));
  }
}

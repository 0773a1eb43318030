package org.eucalypt.library;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import org.eucalypt.auth.Caller;

import java.util.List;

/**
 * The library lifecycle: create, read, update, trash, restore and expedite. Each method is named
 * after its operationId in openapi.yaml. Ids are Gumnut's public ones ({@code lib_...}); one
 * that is malformed, another user's or outside the caller's scope fails with NOT_FOUND.
 *
 * <p>Served on the event bus at {@link #ADDRESS} for other services (with an API key, through
 * the bus door), and called in-process by the HTTP layer.
 */
@ProxyGen
@VertxGen
public interface LibraryService {
  String ADDRESS = "eucalypt.service.libraries";

  Future<Library> createLibrary(Caller caller, LibraryChanges body);

  /** {@code state}: live (default), trashed or all. */
  Future<List<Library>> listLibraries(Caller caller, String state);

  Future<Library> getLibrary(Caller caller, String libraryId);

  Future<Library> updateLibrary(Caller caller, String libraryId, LibraryChanges changes);

  /** Idempotent: trashing a trashed library keeps its deadline. */
  Future<Void> trashLibrary(Caller caller, String libraryId);

  /** Idempotent: restoring a live library returns it. */
  Future<Library> restoreLibrary(Caller caller, String libraryId);

  /** Expedites the purge of a trashed library; CONFLICT if it is live. */
  Future<Void> deleteLibrary(Caller caller, String libraryId);
}

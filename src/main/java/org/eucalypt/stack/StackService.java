package org.eucalypt.stack;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import org.eucalypt.auth.Caller;

import java.util.List;

/**
 * Stacks: frames of one moment grouped into a single tile, as Gumnut's SDK documents them. Each
 * method is named after its operationId in openapi.yaml. Every read and change joins on the
 * stack's library being live and the caller's own, so a stack of a trashed library, of another
 * user or outside the key's scope answers NOT_FOUND alike.
 *
 * <p>An asset is in at most one stack, always of its own library. A change that a concurrent
 * stack change made invalid fails with CONFLICT and changes nothing; retrying it is safe.
 */
@ProxyGen
@VertxGen
public interface StackService {
  String ADDRESS = "eucalypt.service.stacks";

  /**
   * Groups two or more assets into a new user-owned stack. An asset already in another stack
   * moves over; if it was that stack's pinned cover, the whole stack folds in. A stack left with
   * fewer than two members dissolves. {@code primaryAssetId} (may be null) pins one of them.
   */
  Future<Stack> createStack(Caller caller, String libraryId, List<String> assetIds, String primaryAssetId);

  /** Stacks of one library ordered by id, one page. */
  Future<StackPage> listStacks(Caller caller, StackFilter filter);

  Future<Stack> getStack(Caller caller, String stackId);

  /** Pins a live member as the cover; the stack becomes user-owned. */
  Future<Stack> setCover(Caller caller, String stackId, String primaryAssetId);

  /** Dissolves the stack: its members return to loose display; no photo is touched. */
  Future<Void> deleteStack(Caller caller, String stackId);

  /** Adds assets as {@link #createStack} does; ids already in this stack are skipped. */
  Future<Stack> addAssetsToStack(Caller caller, String stackId, List<String> assetIds);

  /**
   * Pulls members out; ids that are not members are ignored. A pulled cover is unpinned; a stack
   * left with fewer than two members (trashed ones count) dissolves.
   */
  Future<Void> removeAssetsFromStack(Caller caller, String stackId, List<String> assetIds);
}

package org.eucalypt.stack;

/** Every statement the stack service runs, in one place. */
final class StackSql {
  private StackSql() {
  }

  /** A stack as the API answers it; {@code asset_count} counts its live members only (Gumnut). */
  static final String COLUMNS = """
    s.id, s.library_id, s.origin, s.primary_asset_id, s.created_at, s.updated_at,
    (SELECT count(*) FROM assets m WHERE m.stack_id = s.id AND m.trashed_at IS NULL) AS asset_count""";

  /** A stack is visible only while its library is live and belongs to the caller. */
  static final String GET = "SELECT " + COLUMNS + " " + """
     FROM stacks s JOIN libraries l ON l.id = s.library_id
    WHERE s.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";

  /**
   * The stack a change acts on, locked: every change to a stack's membership or cover updates
   * its row, so this lock is what concurrent changes to one stack meet on.
   */
  static final String LOCK = """
    SELECT s.id, s.library_id, s.primary_asset_id FROM stacks s JOIN libraries l ON l.id = s.library_id
     WHERE s.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL
       FOR UPDATE OF s""";

  /** Other stacks touched by a change, locked in id order so concurrent changes cannot deadlock on them. */
  static final String LOCK_STACKS = """
    SELECT id, primary_asset_id FROM stacks WHERE id = ANY($1) ORDER BY id FOR UPDATE""";

  /** The named assets of the library, locked in id order, with the stack each is in now. */
  static final String LOCK_ASSETS = """
    SELECT id, stack_id, trashed_at FROM assets WHERE library_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE""";

  /** Every member of these stacks, locked in id order. */
  static final String LOCK_MEMBERS = """
    SELECT id, stack_id FROM assets WHERE stack_id = ANY($1) ORDER BY id FOR UPDATE""";

  /** The named assets that are members of this stack, locked in id order. */
  static final String LOCK_MEMBERS_AMONG = """
    SELECT id FROM assets WHERE stack_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE""";

  /** Members per stack, trashed ones included: they count towards the two a stack needs (Gumnut). */
  static final String MEMBER_COUNTS = """
    SELECT s.id, (SELECT count(*) FROM assets a WHERE a.stack_id = s.id) AS members
      FROM stacks s WHERE s.id = ANY($1)""";

  static final String INSERT = """
    INSERT INTO stacks (id, library_id, origin, primary_asset_id, created_at, updated_at)
    VALUES ($1, $2, 'user', $3, $4, $4)""";

  static final String JOIN = "UPDATE assets SET stack_id = $2, updated_at = $3 WHERE id = ANY($1)";

  static final String LEAVE = "UPDATE assets SET stack_id = NULL, updated_at = $2 WHERE id = ANY($1)";

  /** Frees every member of the stacks being dissolved, answering who they were. */
  static final String FREE_MEMBERS = """
    WITH freed AS (SELECT id, stack_id FROM assets WHERE stack_id = ANY($1) ORDER BY id FOR UPDATE)
    UPDATE assets a SET stack_id = NULL, updated_at = $2 FROM freed WHERE a.id = freed.id
    RETURNING a.id, freed.stack_id""";

  static final String DELETE = "DELETE FROM stacks WHERE id = ANY($1)";

  /** A change by the user: the stack becomes user-owned, so burst re-detection leaves it alone. */
  static final String TOUCH_BY_USER = "UPDATE stacks SET origin = 'user', updated_at = $2 WHERE id = ANY($1)";

  /** Pulled members that were the pinned cover unpin it; there is no automatic re-pick (Gumnut). */
  static final String UNPIN = """
    UPDATE stacks SET primary_asset_id = NULL WHERE id = $1 AND primary_asset_id = ANY($2)""";

  static final String SET_COVER = """
    UPDATE stacks SET primary_asset_id = $2, origin = 'user', updated_at = $3 WHERE id = $1""";

  /** A live member of this stack: what a cover must be. */
  static final String LIVE_MEMBER = """
    SELECT id FROM assets WHERE id = $1 AND stack_id = $2 AND trashed_at IS NULL FOR SHARE""";

  /** Stacks that lost members to a permanent delete, without a change of owner. */
  static final String TOUCH = "UPDATE stacks SET updated_at = $2 WHERE id = ANY($1)";

  /**
   * The first statement of a change: the caller's live library, share-locked so that a drain
   * batch, an asset trash or delete (which lock it exclusively) and the change take turns, while
   * stack changes in one library run side by side.
   */
  static final String LOCK_LIBRARY = """
    SELECT id FROM libraries WHERE id = $1 AND user_id = $2 AND trashed_at IS NULL FOR SHARE""";

  /** As {@link #LOCK_LIBRARY}, for the library of a stack. */
  static final String LOCK_LIBRARY_OF_STACK = """
    SELECT l.id FROM libraries l JOIN stacks s ON s.library_id = l.id
     WHERE s.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL
       FOR SHARE OF l""";

  /** The caller's live library holding this stack: where {@code list_assets?stack_id} looks. */
  static final String LIBRARY_OF = """
    SELECT s.library_id FROM stacks s JOIN libraries l ON l.id = s.library_id
     WHERE s.id = $1 AND l.user_id = $2 AND l.trashed_at IS NULL""";
}

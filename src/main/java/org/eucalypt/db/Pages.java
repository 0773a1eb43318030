package org.eucalypt.db;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Pages of a list: the statement asks for one row more than the page holds ({@link #fetch}); that
 * row is not answered, it only says that more follow ({@link #hasMore}). One round trip, no count.
 */
public final class Pages {
  private Pages() {
  }

  /** How many rows to ask for, for a page of {@code limit}. */
  public static int fetch(int limit) {
    return limit + 1;
  }

  /** The page: at most {@code limit} rows, each mapped. */
  public static <T> List<T> items(RowSet<Row> rows, int limit, Function<Row, T> map) {
    List<T> out = new ArrayList<>(Math.min(rows.size(), limit));
    for (Row r : rows) {
      if (out.size() == limit) {
        break;
      }
      out.add(map.apply(r));
    }
    return out;
  }

  public static boolean hasMore(RowSet<Row> rows, int limit) {
    return rows.size() > limit;
  }
}

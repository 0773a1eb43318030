package org.eucalypt.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The one failure convention between the lifecycle verticles and the HTTP layer: a reply fails
 * with an HTTP status as its code and a human detail as its message; the HTTP layer answers
 * {@code {"detail": message}} with that status.
 */
public final class Failure {
  private Failure() {
  }

  public static ReplyException of(int status, String detail) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status, detail);
  }

  public static ReplyException notFound() {
    return of(404, "Not found");
  }

  public static ReplyException conflict(String detail) {
    return of(409, detail);
  }

  public static ReplyException badRequest(String detail) {
    return of(400, detail);
  }
}

package org.eucalypt.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

/**
 * The one failure the lifecycle services know: what went wrong in the domain's terms, and a
 * human detail. The HTTP layer maps each kind to a status (http.Problems); a service on the event
 * bus reads {@link #kind()} from the failure code. No HTTP status appears inside the domain.
 *
 * <p>A {@link ServiceException}, so the generated proxy handlers send it over the bus as it is
 * (code and message) rather than as an anonymous failure.
 */
public final class DomainException extends ServiceException {
  public enum Kind {
    /** Missing, another user's, outside the key's scope, or in a trashed library: all alike. */
    NOT_FOUND(1),
    /** The state forbids it now (expediting a live library, a concurrent change). */
    CONFLICT(2),
    /** The request cannot be served as asked (no library to choose, ...). */
    BAD_REQUEST(3),
    /** An account or library storage limit would be passed. */
    STORAGE_FULL(4),
    /** The key is unknown, revoked or inactive. */
    UNAUTHENTICATED(5),
    /** The key lacks the action or the library scope the operation needs. */
    FORBIDDEN(6),
    /** The database cannot be reached just now; retrying later can help. */
    UNAVAILABLE(7),
    /** The request is well-formed but its values do not fit what they refer to (a face box outside its asset). */
    INVALID(8);

    public final int code;

    Kind(int code) {
      this.code = code;
    }

    static Kind of(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      return null;
    }
  }

  private final Kind kind;
  private final boolean retryable;

  public DomainException(Kind kind, String detail) {
    this(kind, detail, false);
  }

  private DomainException(Kind kind, String detail, boolean retryable) {
    super(kind.code, detail, retryable
      ? new JsonObject().put("kind", kind.name()).put("retry", true)
      : new JsonObject().put("kind", kind.name()));
    this.kind = kind;
    this.retryable = retryable;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The kind of a failure, also one that came back over the bus (a recipient's failure whose
   * code is a kind's), or null if it is not a domain failure.
   */
  public static Kind kindOf(Throwable failure) {
    if (failure instanceof DomainException d) {
      return d.kind();
    }
    return failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
      ? Kind.of(re.failureCode()) : null;
  }

  public static DomainException notFound() {
    return new DomainException(Kind.NOT_FOUND, "Not found");
  }

  public static DomainException conflict(String detail) {
    return new DomainException(Kind.CONFLICT, detail);
  }

  /**
   * A conflict that sending the request again can resolve: the change lost a race with another
   * (PostgreSQL rolled its transaction back whole for a deadlock or a serialization failure, or a
   * row it needed moved under it), so nothing was done and the same request may well go through.
   * Its debug info carries {@code "retry": true}; over HTTP it is a 409 the SDKs retry on their own.
   */
  public static DomainException raceLost(String detail) {
    return new DomainException(Kind.CONFLICT, detail, true);
  }

  /** Whether sending the same request again can succeed ({@link #raceLost}). */
  public boolean retryable() {
    return retryable;
  }

  public static DomainException badRequest(String detail) {
    return new DomainException(Kind.BAD_REQUEST, detail);
  }

  public static DomainException invalid(String detail) {
    return new DomainException(Kind.INVALID, detail);
  }

  public static DomainException storageFull(String detail) {
    return new DomainException(Kind.STORAGE_FULL, detail);
  }

  /** Cheap to throw on hot paths (a 404 for a malformed id): no stack trace is filled in. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}

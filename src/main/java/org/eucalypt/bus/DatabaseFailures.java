package org.eucalypt.bus;

import org.eucalypt.db.Database;

/**
 * The two database failures every caller must be able to tell apart from a bug, in the domain's
 * terms: the database out of reach ({@code UNAVAILABLE}: try again later) and a transaction that
 * PostgreSQL rolled back whole for a deadlock or a serialization failure ({@code CONFLICT}:
 * nothing changed, send it again). Services turn the races they expect into conflicts of their
 * own words; these are what is left, for HTTP (http.Problems: 503 and 409) and for the event bus
 * ({@link ServiceVerticle}) alike.
 */
public final class DatabaseFailures {
  private DatabaseFailures() {
  }

  /** {@code failure} as a {@link DomainException} if it is one of the two, else {@code failure} itself. */
  public static Throwable inDomainTerms(Throwable failure) {
    if (Database.unavailable(failure)) {
      return new DomainException(DomainException.Kind.UNAVAILABLE, "Service unavailable: the database cannot be reached");
    }
    if (Database.lostRace(failure)) {
      return DomainException.raceLost("A concurrent change came first; nothing was changed, retry the request");
    }
    return failure;
  }
}

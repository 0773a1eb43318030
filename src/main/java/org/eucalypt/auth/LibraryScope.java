package org.eucalypt.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The libraries a request's key may reach: all of the user's, or a selected few. The HTTP layer
 * puts it in every bus request as {@code library_scope} (absent or null: all); the verticles treat
 * a library outside it exactly like one that does not exist.
 */
public final class LibraryScope {
  public static final String FIELD = "library_scope";
  private static final LibraryScope ALL = new LibraryScope(null);

  private final Set<UUID> libraries;

  private LibraryScope(Set<UUID> libraries) {
    this.libraries = libraries;
  }

  public static LibraryScope of(JsonObject request) {
    JsonArray ids = request.getJsonArray(FIELD);
    return ids == null ? ALL
      : new LibraryScope(ids.stream().map(o -> UUID.fromString((String) o)).collect(Collectors.toUnmodifiableSet()));
  }

  public boolean allows(UUID library) {
    return libraries == null || libraries.contains(library);
  }

  /** For SQL: null when every library is allowed, else the allowed ones. */
  public UUID[] asArray() {
    return libraries == null ? null : libraries.toArray(UUID[]::new);
  }
}

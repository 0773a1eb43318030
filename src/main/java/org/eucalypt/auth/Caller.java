package org.eucalypt.auth;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Who asks: the user an API key belongs to, the key, what it may do, and which libraries it may
 * reach ({@code libraries} null: all of the user's). Made once when a key is authenticated and
 * cached with it; every service method takes it first and scopes every statement to it, so
 * another user's content, or a library outside the key's scope, is indistinguishable from one
 * that does not exist.
 *
 * <p>On the event bus it travels as JSON, but a service never trusts a caller sent by its peer:
 * the bus door ({@code bus.BusDoor}) replaces it with the one the message's API key proves.
 */
@DataObject
public final class Caller {
  private final UUID userId;
  private final UUID keyId;
  private final Set<String> actions;
  private final Set<UUID> libraries;

  public Caller(UUID userId, UUID keyId, Set<String> actions, Set<UUID> libraries) {
    this.userId = userId;
    this.keyId = keyId;
    this.actions = actions;
    this.libraries = libraries;
  }

  public UUID userId() {
    return userId;
  }

  public UUID keyId() {
    return keyId;
  }

  public Set<String> actions() {
    return actions;
  }

  public Set<UUID> libraries() {
    return libraries;
  }


  public Caller(JsonObject json) {
    this(UUID.fromString(json.getString("user_id")),
      UUID.fromString(json.getString("key_id")),
      json.getJsonArray("actions").stream().map(String::valueOf).collect(Collectors.toUnmodifiableSet()),
      json.getJsonArray("libraries") == null ? null : json.getJsonArray("libraries").stream()
        .map(o -> UUID.fromString((String) o)).collect(Collectors.toUnmodifiableSet()));
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("user_id", userId.toString())
      .put("key_id", keyId.toString())
      .put("actions", new JsonArray(List.copyOf(actions)))
      .put("libraries", libraries == null ? null
        : new JsonArray(libraries.stream().map(UUID::toString).map(Object.class::cast).toList()));
  }

  public boolean allLibraries() {
    return libraries == null;
  }

  /** Whether the key reaches this library; one outside its scope is as good as unknown. */
  public boolean reaches(UUID library) {
    return libraries == null || libraries.contains(library);
  }

  /** For SQL: null when every library is allowed, else the allowed ones. */
  public UUID[] librariesArray() {
    return libraries == null ? null : libraries.toArray(UUID[]::new);
  }
}

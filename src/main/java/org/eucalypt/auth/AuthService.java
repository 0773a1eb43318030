package org.eucalypt.auth;

import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;

import java.util.List;

/**
 * The caller's account and its API keys, each method named after its operationId in
 * openapi.yaml. A change to a key holds on the very next request, on every instance: it is
 * evicted from every member's cache before it is answered (see {@link AuthVerticle}).
 */
@ProxyGen
@VertxGen
public interface AuthService {
  String ADDRESS = "eucalypt.service.auth";

  Future<User> getCurrentUser(Caller caller);

  /**
   * Every library named by a scoped key must be the caller's and live, else NOT_FOUND. The rules
   * the schema cannot say (read goes with any other action; library_ids with the scope mode) are
   * the HTTP layer's 422s.
   */
  Future<ApiKey> createApiKey(Caller caller, ApiKeyChanges body);

  Future<List<ApiKey>> listApiKeys(Caller caller);

  Future<ApiKey> updateApiKey(Caller caller, String keyId, ApiKeyChanges changes);

  Future<Void> deleteApiKey(Caller caller, String keyId);
}

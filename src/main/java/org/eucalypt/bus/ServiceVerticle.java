package org.eucalypt.bus;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import org.eucalypt.auth.Authenticator;
import org.eucalypt.auth.Permissions;
import org.eucalypt.config.Settings;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.function.Function;

/**
 * Serves one lifecycle service on the event bus, behind the {@link BusDoor}. Deployed with one
 * instance per event loop, so calls from other services are spread over every core instead of
 * funnelling through one thread. (HTTP requests do not come this way: each HTTP verticle calls
 * its own instance of the same implementation in-process, on its own event loop.)
 */
public final class ServiceVerticle<T> extends VerticleBase {

  private final Class<T> type;
  private final String address;
  private final Function<io.vertx.core.Vertx, T> implementation;
  private final Settings settings;
  private final Clock clock;
  private final Permissions permissions;
  private MessageConsumer<JsonObject> consumer;

  public ServiceVerticle(Class<T> type, String address, Function<io.vertx.core.Vertx, T> implementation,
                         Settings settings, Clock clock, Permissions permissions) {
    this.type = type;
    this.address = address;
    this.implementation = implementation;
    this.settings = settings;
    this.clock = clock;
    this.permissions = permissions;
  }

  @Override
  public Future<?> start() {
    BusDoor door = new BusDoor(new Authenticator(vertx, settings, clock), permissions);
    consumer = new ServiceBinder(vertx)
      .setAddress(address)
      .addInterceptor(door)
      .register(type, inDomainTerms(type, implementation.apply(vertx)));
    return consumer.completion();
  }

  /**
   * {@code service} as callers on the bus see it: a failure it left in the database's terms (out of
   * reach, a race lost) reaches them as the {@link DomainException} kind HTTP clients get as 503
   * and 409 ({@link DatabaseFailures}), not as an anonymous failure with code -1.
   */
  @SuppressWarnings("unchecked")
  static <S> S inDomainTerms(Class<S> type, S service) {
    InvocationHandler translating = (proxy, method, args) -> {
      Object result;
      try {
        result = method.invoke(service, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      return result instanceof Future<?> future
        ? ((Future<Object>) future).recover(e -> Future.failedFuture(DatabaseFailures.inDomainTerms(e)))
        : result;
    };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, translating));
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }
}

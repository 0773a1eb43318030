package org.eucalypt.event;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;

/**
 * The event bus opened to services outside the JVM, over the TCP bridge's framing (a 4-byte
 * big-endian length, then JSON). Outbound only: a client may listen to {@code eucalypt.events.*};
 * anything it sends or publishes is refused with the bridge's {@code access_denied} error frame.
 */
public final class EventBridge {
  private EventBridge() {
  }

  public static Future<TcpEventBusBridge> start(Vertx vertx, String host, int port) {
    BridgeOptions options = new BridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddressRegex("eucalypt\\.events\\..+"));
    return TcpEventBusBridge.create(vertx, options, new NetServerOptions().setHost(host).setPort(port)).listen();
  }
}

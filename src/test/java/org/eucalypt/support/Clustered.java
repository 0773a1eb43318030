package org.eucalypt.support;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.eucalypt.cluster.Cluster;
import org.eucalypt.config.Settings;
import org.eucalypt.config.SettingsLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Clustered Vert.x instances for tests, each a Hazelcast member on a free port of 127.0.0.1,
 * joined through the same settings an operator gives ({@code cluster_port}, {@code cluster_members}).
 */
public final class Clustered {
  private Clustered() {
  }

  /** {@code n} members of one cluster, started one after the other. */
  public static List<Vertx> start(int n) {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports.add(freePort());
    }
    String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
    List<Vertx> out = new ArrayList<>();
    Vertx loader = Vertx.vertx();
    try {
      Settings base = SettingsLoader.load(loader).await();
      for (int port : ports) {
        Settings s = base.with("cluster_port", port).with("cluster_members", members);
        out.add(Cluster.vertx(Vertx.builder(), new VertxOptions(), s).await());
      }
    } finally {
      loader.close().await();
    }
    return out;
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.eucalypt.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.eucalypt.config.Settings;

import java.util.List;

/**
 * Several eucalypt instances sharing one event bus, through Vert.x's Hazelcast cluster manager.
 *
 * <p>Members find each other only through the list given in {@code cluster_members} (TCP-IP
 * join): no multicast, no cloud auto-detection, no phone-home. Hazelcast holds nothing of
 * eucalypt's own state — PostgreSQL does — only the bus's registry of who listens where. Without
 * {@code cluster_port} the instance starts unclustered, as a plain Vert.x.
 */
public final class Cluster {
  /** Hazelcast's cluster name: members of another product on the same ports are not joined. */
  static final String NAME = "eucalypt";
  /**
   * How long a member that stopped answering (killed, or cut off) stays a member. Hazelcast's
   * default is 60 s; bus messages to it fail meanwhile, so it is kept short.
   */
  static final int NO_HEARTBEAT_SECONDS = 15;

  private Cluster() {
  }

  /** Builds the Vert.x: clustered when the settings name a cluster port, else plain. */
  public static Future<Vertx> vertx(VertxBuilder builder, VertxOptions options, Settings settings) {
    if (!settings.clustered()) {
      return Future.succeededFuture(builder.with(options).build());
    }
    VertxOptions clustered = new VertxOptions(options).setEventBusOptions(new EventBusOptions(options.getEventBusOptions())
      .setHost(settings.clusterHost())
      .setPort(settings.clusterBusPort())
      .setClusterPublicHost(settings.clusterHost()));
    return builder.with(clustered).withClusterManager(new HazelcastClusterManager(hazelcast(settings))).buildClustered();
  }

  /** Vert.x's own defaults (the maps its bus needs), joined only with the members named. */
  static Config hazelcast(Settings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(NAME);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Bind only the configured address, not every interface of the machine.
    config.setProperty("hazelcast.socket.bind.any", "false");
    // Hazelcast waits 5 s by default before the first join, for members to show up; the list is given.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(NO_HEARTBEAT_SECONDS));
    // Vert.x leaves the cluster itself on close; Hazelcast's own hook would race it.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.clusterPort()).setPortAutoIncrement(false);
    network.setPublicAddress(settings.clusterHost() + ":" + settings.clusterPort());
    if (settings.clusterHost().matches("[0-9.]+")) {
      // Hazelcast's interface list takes addresses only; a host name is still advertised above.
      network.getInterfaces().setEnabled(true).setInterfaces(List.of(settings.clusterHost()));
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.clusterMembers().isEmpty()
      ? List.of(settings.clusterHost() + ":" + settings.clusterPort())
      : settings.clusterMembers());
    return config;
  }

  /** The ids of the cluster's members, this one included; just this one when not clustered. */
  public static List<String> nodes(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager == null ? List.of(nodeId(vertx)) : manager.getNodes();
  }

  /** This member's id: an address only it listens on is made from it. */
  public static String nodeId(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager == null ? "local" : manager.getNodeId();
  }

  public static boolean isClustered(Vertx vertx) {
    return vertx.isClustered();
  }
}

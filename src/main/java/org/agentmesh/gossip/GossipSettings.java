package org.agentmesh.gossip;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The shell's settings, read from {@code agent-mesh.gossip}: the core's {@link GossipConfig} plus what only the shell
 * needs.
 *
 * @param enabled        start a gossip member for every agent
 * @param routeByGossip  task routing reads agent loads and capabilities from a local member's view
 * @param leaveRounds    rounds a leaving member keeps gossiping so that its LEFT entry spreads, before it stops
 * @param askTimeout     how long a member waits for its agent's profile and its worker's load
 */
public record GossipSettings(boolean enabled, boolean routeByGossip, GossipConfig core, int leaveRounds, Duration askTimeout) {

    public static GossipSettings fromConfig(Config agentMesh) {
        Config g = agentMesh.getConfig("gossip");
        GossipConfig core = new GossipConfig(g.getDuration("interval").toMillis(), g.getDouble("jitter"), g.getInt("fanout"),
                g.getInt("random-partners"), g.getInt("min-links"), g.getInt("max-links"), g.getInt("rumor-retransmit-extra"),
                g.getDuration("suspect-after").toMillis(), g.getDuration("dead-after").toMillis(),
                g.getDuration("tombstone").toMillis(), g.getInt("push-sum-epoch-rounds"),
                g.getBoolean("push-changes"));
        return new GossipSettings(g.getBoolean("enabled"), g.getBoolean("route-by-gossip"), core, g.getInt("leave-rounds"),
                g.getDuration("ask-timeout"));
    }
}

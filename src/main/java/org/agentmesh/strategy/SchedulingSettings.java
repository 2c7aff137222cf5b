package org.agentmesh.strategy;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The scheduling configuration from {@code agent-mesh.scheduling} in {@code reference.conf}: what a shell needs to build
 * the cores ({@link AssignmentConfig}, {@link WorkStealingConfig}, {@link LoadBalancerConfig}) and drive them (tick
 * intervals, steal-request timeout). Invalid values fail here, at start-up, with the key in the message.
 */
public record SchedulingSettings(AssignmentConfig assignment, WorkStealingConfig stealing, Duration stealTickInterval,
        Duration stealRequestTimeout, LoadBalancerConfig balancer, Duration balancerInterval) {

    /** Reads {@code agent-mesh.scheduling} from a full application config. */
    public static SchedulingSettings from(Config root) {
        Config c = root.getConfig("agent-mesh.scheduling");
        double threshold = c.getDouble("match-threshold");
        try {
            AuctionWeights weights = new AuctionWeights(c.getDouble("auction-weights.capability"),
                    c.getDouble("auction-weights.load"), c.getDouble("auction-weights.performance"),
                    c.getDouble("auction-weights.resources"));
            AssignmentConfig assignment =
                    new AssignmentConfig(threshold, weights, c.getInt("dht-virtual-nodes"), c.getBoolean("queue-when-full"));
            WorkStealingConfig stealing = new WorkStealingConfig(c.getBoolean("stealing.enabled"), threshold,
                    c.getInt("stealing.victim-candidates"));
            LoadBalancerConfig balancer = new LoadBalancerConfig(c.getDouble("balancer.hot-threshold"),
                    c.getDouble("balancer.cold-threshold"), c.getInt("balancer.max-migrations-per-round"), threshold);
            return new SchedulingSettings(assignment, stealing, positive(c, "stealing.tick-interval"),
                    positive(c, "stealing.request-timeout"), balancer, positive(c, "balancer.interval"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("agent-mesh.scheduling: " + e.getMessage(), e);
        }
    }

    private static Duration positive(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(key + " must be positive, was " + d);
        }
        return d;
    }
}

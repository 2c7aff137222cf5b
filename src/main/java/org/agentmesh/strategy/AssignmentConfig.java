package org.agentmesh.strategy;

/**
 * Configuration shared by the assignment strategies.
 *
 * @param matchThreshold minimum capability match for an agent to be eligible (seed: 0.7)
 * @param weights auction weights (seed: 0.4/0.3/0.2/0.1)
 * @param virtualNodes virtual nodes per agent on the DHT ring (more = more even ownership)
 * @param queueWhenFull capability routing only: when every capable agent's slots are taken, queue the task on the least
 *     loaded capable agent ({@code true}) or reject it with {@link RejectionReason.NoFreeCapacity} ({@code false})
 */
public record AssignmentConfig(double matchThreshold, AuctionWeights weights, int virtualNodes, boolean queueWhenFull) {

    public static final AssignmentConfig DEFAULT =
            new AssignmentConfig(CapabilityMatch.DEFAULT_THRESHOLD, AuctionWeights.DEFAULT, 100, true);

    public AssignmentConfig {
        CapabilityMatch.requireThreshold(matchThreshold);
        java.util.Objects.requireNonNull(weights, "weights");
        if (virtualNodes < 1) {
            throw new IllegalArgumentException("virtualNodes must be >= 1, was " + virtualNodes);
        }
    }

    public AssignmentConfig withMatchThreshold(double t) {
        return new AssignmentConfig(t, weights, virtualNodes, queueWhenFull);
    }

    public AssignmentConfig withQueueWhenFull(boolean q) {
        return new AssignmentConfig(matchThreshold, weights, virtualNodes, q);
    }
}

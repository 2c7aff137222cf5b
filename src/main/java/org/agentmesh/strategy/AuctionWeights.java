package org.agentmesh.strategy;

/**
 * How the auction scores a bid: {@code capability * match + load * (1 - utilization) + performance * pastPerformance
 * + resources * resourceAvailability}. Weights are non-negative and sum to 1, so a score is in [0, 1].
 */
public record AuctionWeights(double capability, double load, double performance, double resources) {

    /** The seed's weights: 0.4 capability match, 0.3 current load, 0.2 past performance, 0.1 resource availability. */
    public static final AuctionWeights DEFAULT = new AuctionWeights(0.4, 0.3, 0.2, 0.1);

    public AuctionWeights {
        if (capability < 0 || load < 0 || performance < 0 || resources < 0) {
            throw new IllegalArgumentException("auction weights must be >= 0: " + capability + ", " + load + ", "
                    + performance + ", " + resources);
        }
        double sum = capability + load + performance + resources;
        if (Math.abs(sum - 1.0) > 1e-9) {
            throw new IllegalArgumentException("auction weights must sum to 1, sum to " + sum);
        }
    }

    public double score(double capabilityMatch, double utilization, double pastPerformance, double resourceAvailability) {
        return capability * capabilityMatch + load * (1.0 - utilization) + performance * pastPerformance
                + resources * resourceAvailability;
    }
}

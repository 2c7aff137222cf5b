package org.agentmesh.sim;

/**
 * How the simulated network treats each message: a delay drawn uniformly from [minDelay, maxDelay] milliseconds
 * (different delays reorder messages), dropped with probability {@code lossRate}, delivered twice with probability
 * {@code duplicateRate}.
 */
public record NetworkConditions(long minDelayMillis, long maxDelayMillis, double lossRate, double duplicateRate) {

    public NetworkConditions {
        if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
            throw new IllegalArgumentException("need 0 <= minDelayMillis <= maxDelayMillis");
        }
        if (lossRate < 0 || lossRate >= 1 || duplicateRate < 0 || duplicateRate >= 1) {
            throw new IllegalArgumentException("lossRate and duplicateRate must be in [0, 1)");
        }
    }

    /** A LAN-like network: 1-5 ms, nothing lost. */
    public static NetworkConditions reliable() {
        return new NetworkConditions(1, 5, 0.0, 0.0);
    }

    public NetworkConditions withLoss(double lossRate) {
        return new NetworkConditions(minDelayMillis, maxDelayMillis, lossRate, duplicateRate);
    }

    public NetworkConditions withDuplicates(double duplicateRate) {
        return new NetworkConditions(minDelayMillis, maxDelayMillis, lossRate, duplicateRate);
    }

    public NetworkConditions withDelay(long minDelayMillis, long maxDelayMillis) {
        return new NetworkConditions(minDelayMillis, maxDelayMillis, lossRate, duplicateRate);
    }
}

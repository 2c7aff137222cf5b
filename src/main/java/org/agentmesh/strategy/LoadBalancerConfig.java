package org.agentmesh.strategy;

/**
 * @param hotThreshold an agent whose utilization is above this is hot (seed: 0.8); it gives queued tasks away while its
 *     projected load factor stays above it
 * @param coldThreshold an agent whose utilization is below this is cold (seed: 0.3); only agents cold at the start of a
 *     round receive, each up to the projected load factor of the source (never above it)
 * @param maxMigrationsPerRound upper bound on migrations decided in one round
 * @param matchThreshold a task goes only to an agent that matches its requirements at least this well
 */
public record LoadBalancerConfig(double hotThreshold, double coldThreshold, int maxMigrationsPerRound, double matchThreshold) {

    public static final LoadBalancerConfig DEFAULT = new LoadBalancerConfig(0.8, 0.3, 32, CapabilityMatch.DEFAULT_THRESHOLD);

    public LoadBalancerConfig {
        if (!(coldThreshold >= 0 && coldThreshold < hotThreshold && hotThreshold <= 1.0)) {
            throw new IllegalArgumentException("need 0 <= cold < hot <= 1, got cold " + coldThreshold + ", hot " + hotThreshold);
        }
        if (maxMigrationsPerRound < 1) {
            throw new IllegalArgumentException("maxMigrationsPerRound must be >= 1, was " + maxMigrationsPerRound);
        }
        CapabilityMatch.requireThreshold(matchThreshold);
    }
}

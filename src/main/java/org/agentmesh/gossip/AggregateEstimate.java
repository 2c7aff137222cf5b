package org.agentmesh.gossip;

/**
 * Swarm-wide aggregates as one peer sees them. {@code liveAgents} is NaN while this peer has no count weight yet
 * (the designated peer's mass has not reached it).
 *
 * @param complete whether the epoch ran its full length (a completed estimate) or is still in progress
 */
public record AggregateEstimate(long epoch, double meanLoad, double meanLatencyMillis, double liveAgents, boolean complete) {

    static AggregateEstimate none() {
        return new AggregateEstimate(-1, Double.NaN, Double.NaN, Double.NaN, false);
    }
}

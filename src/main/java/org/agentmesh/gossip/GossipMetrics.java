package org.agentmesh.gossip;

/**
 * What one gossip core can report about itself.
 *
 * @param connectivity            fraction (0..1) of this peer's overlay links heard from directly (any gossip message)
 *                                within the last {@code suspectAfterMillis / 2}; 1 when it has no links
 * @param millisSinceViewChange   since the set of live peers last changed at this peer
 * @param updateSamples           how many of the last (up to 64) data updates taken in had a known time of change
 * @param updateDelayMillisP50    median time from an owner's change to its arrival here over those updates (-1: none)
 * @param updateDelayMillisMax    the slowest of them (-1: none); the max over all peers bounds the convergence time
 */
public record GossipMetrics(long rounds, long messagesSent, long messagesReceived, int knownPeers, int livePeers,
                            double connectivity, long millisSinceViewChange, long rumorsDelivered, int updateSamples,
                            long updateDelayMillisP50, long updateDelayMillisMax) {
}

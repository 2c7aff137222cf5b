package org.agentmesh.gossip;

/**
 * What one gossip core can report about itself.
 *
 * @param connectivity            fraction (0..1) of this peer's overlay links heard from directly (any gossip message)
 *                                within the last {@code suspectAfterMillis / 2}; 1 when it has no links
 * @param millisSinceViewChange   since the set of live peers last changed at this peer
 */
public record GossipMetrics(long rounds, long messagesSent, long messagesReceived, int knownPeers, int livePeers,
                            double connectivity, long millisSinceViewChange, long rumorsDelivered) {
}

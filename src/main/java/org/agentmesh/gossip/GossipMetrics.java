package org.agentmesh.gossip;

/**
 * What one gossip core can report about itself.
 *
 * @param connectivity            fraction (0..1) of live peers in the view whose heartbeat increased within the last
 *                                {@code suspectAfterMillis / 2}; 1 when the peer knows nobody else
 * @param millisSinceViewChange   since the set of live peers last changed at this peer
 */
public record GossipMetrics(long rounds, long messagesSent, long messagesReceived, int knownPeers, int livePeers,
                            double connectivity, long millisSinceViewChange, long rumorsDelivered) {
}

package org.agentmesh.gossip;

import java.util.List;
import java.util.SortedSet;

/** What {@link GossipCore#step} asks its shell to do or tells its application. */
public sealed interface GossipOutput {

    /** Send {@code message} to peer {@code to}; losing it is fine, gossip repairs. */
    record Send(String to, GossipMessage message) implements GossipOutput {}

    /** Feed a {@link GossipInput.Tick} after {@code delayMillis}; replaces any timer asked for earlier. */
    record SetTimer(long delayMillis) implements GossipOutput {}

    /** The set of live peers changed. */
    record ViewChanged(List<String> joined, List<String> departed, int livePeers) implements GossipOutput {}

    /** A rumor reached this peer for the first time (never delivered twice, unless forgotten after the tombstone period). */
    record RumorDelivered(Rumor rumor) implements GossipOutput {}

    /** This peer's overlay links changed. */
    record LinksChanged(SortedSet<String> links) implements GossipOutput {}
}

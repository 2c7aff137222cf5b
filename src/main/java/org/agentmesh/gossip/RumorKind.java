package org.agentmesh.gossip;

/** What a rumor announces. */
public enum RumorKind {
    JOINED, LEFT, SUSPECTED, CUSTOM,
    /** A failure detector confirmed the subject dead (it crashed, or is cut off for good). */
    FAILED
}

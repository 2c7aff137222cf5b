package org.agentmesh.gossip;

/** What a rumor announces. */
public enum RumorKind {
    JOINED, LEFT, SUSPECTED, CUSTOM
}

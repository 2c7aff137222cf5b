package org.agentmesh.gossip;

/**
 * What the swarm believes about a peer. The declaration order is the tie-break order: at equal versions the later
 * status wins, so a suspicion or death declared by a non-owner spreads without the owner bumping anything, and only
 * the owner (with a higher version) can overrule it.
 */
public enum PeerStatus {
    ALIVE, SUSPECTED, LEFT, DEAD;

    /** Live peers take part in the overlay and are gossip partners; a suspect is still given the benefit of the doubt. */
    public boolean isLive() {
        return this == ALIVE || this == SUSPECTED;
    }
}

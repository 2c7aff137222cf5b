package org.agentmesh.raft;

import org.agentmesh.serialization.CborSerializable;

/**
 * What a node must persist before it sends any message that depends on it: its current term, the node it voted for in
 * that term ({@code ""} for none) and its commit index (persisting the commit index lets a restarted node re-apply
 * committed entries at once instead of waiting for a leader).
 */
public record HardState(long term, String votedFor, long commit) implements CborSerializable {

    public static final HardState INITIAL = new HardState(0, "", 0);
}

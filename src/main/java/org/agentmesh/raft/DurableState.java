package org.agentmesh.raft;

import java.util.List;

/**
 * What a node's storage holds and a restarted node is rebuilt from: the last persisted {@link HardState}, the latest
 * snapshot (the bootstrap snapshot of a fresh node) and the log entries after it, in index order.
 */
public record DurableState(HardState hardState, Snapshot snapshot, List<LogEntry> entries) {

    /** A node that has never run, in a cluster whose initial configuration is {@code membership}. */
    public static DurableState fresh(Membership membership) {
        return new DurableState(HardState.INITIAL, Snapshot.bootstrap(membership), List.of());
    }
}

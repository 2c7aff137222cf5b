package org.agentmesh.raft;

/**
 * Requests from the local driver (the actor shell or a test). {@code requestId} is chosen by the driver; the answer
 * comes back as a {@link RequestOutcome} with the same id in a later {@link Ready}.
 */
public sealed interface LocalInput extends RaftInput {

    /** Appends a client command; only a leader accepts it. */
    record Propose(long requestId, byte[] command) implements LocalInput {}

    /** One single-server configuration change; accepted only when no other change is uncommitted. */
    record ChangeMembership(long requestId, MembershipChange change) implements LocalInput {}

    /** Hands leadership to {@code target}, a voter; new proposals are refused while the transfer is in progress. */
    record TransferLeadership(long requestId, String target) implements LocalInput {}

    /** Asks for a linearizable read index; a follower forwards it to its leader. */
    record ReadIndex(long requestId) implements LocalInput {}

    /**
     * The driver took a snapshot of its state machine after applying {@code index} (at most the last index handed out
     * for applying); the core keeps it for lagging followers and discards the log up to {@code index}.
     */
    record SnapshotTaken(long index, byte[] data) implements LocalInput {}
}

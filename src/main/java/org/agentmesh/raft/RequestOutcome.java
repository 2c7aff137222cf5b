package org.agentmesh.raft;

/** The answer to a {@link LocalInput} request, delivered in a {@link Ready}. */
public sealed interface RequestOutcome {

    long requestId();

    /**
     * The proposal (or configuration change) was appended at {@code index} in {@code term}. It has succeeded when the
     * entry at {@code index} is applied with this term; if another term's entry is applied there, it was lost.
     */
    record Accepted(long requestId, long index, long term) implements RequestOutcome {}

    /** Refused; {@code leaderHint} is the leader this node knows of ({@code ""} if none). */
    record Rejected(long requestId, String reason, String leaderHint) implements RequestOutcome {}

    /** Leadership was confirmed: the read may be served once the local state machine has applied {@code readIndex}. */
    record ReadReady(long requestId, long readIndex) implements RequestOutcome {}

    /** Leadership transfer finished: {@code target} was told to take over (it will win unless something intervenes). */
    record TransferStarted(long requestId, String target) implements RequestOutcome {}
}

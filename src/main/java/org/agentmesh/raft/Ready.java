package org.agentmesh.raft;

import java.util.List;
import java.util.Optional;

/**
 * A batch of work the driver must carry out, taken from {@link RaftCore#ready()}. The contract, in this order:
 *
 * <ol>
 *   <li><b>Persist</b> (ideally as one atomic write): if {@code snapshot} is present, store it and drop stored entries
 *       up to its index (all stored entries when {@code restoreSnapshot}); then drop stored entries with index
 *       {@code >= entries.get(0).index()} and append {@code entries}; then store {@code hardState} if present.</li>
 *   <li><b>Send</b> {@code messages} — only after step 1 is durable: votes, acknowledgements and a leader's own
 *       entries are promises that rely on it.</li>
 *   <li><b>Apply</b>: if {@code restoreSnapshot}, {@link StateMachine#restore} the snapshot data; then apply
 *       {@code committed} in order (command entries through {@link StateMachine#apply}; no-op and configuration
 *       entries only advance the applied index).</li>
 *   <li>Deliver {@code outcomes} to the requesters; react to {@code leaderState} (a new leader, a lost leadership).</li>
 * </ol>
 *
 * Readies must be handled one after the other, each completely, in the order they were taken; new inputs may be
 * stepped into the core while a Ready is being handled. An empty Ready needs no work.
 */
public record Ready(
        Optional<HardState> hardState,
        Optional<Snapshot> snapshot,
        boolean restoreSnapshot,
        List<LogEntry> entries,
        List<RaftMessage> messages,
        List<LogEntry> committed,
        List<RequestOutcome> outcomes,
        Optional<LeaderState> leaderState) {

    public boolean isEmpty() {
        return hardState.isEmpty() && snapshot.isEmpty() && entries.isEmpty() && messages.isEmpty()
                && committed.isEmpty() && outcomes.isEmpty() && leaderState.isEmpty();
    }
}

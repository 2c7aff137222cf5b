package org.agentmesh.raft;

import java.util.ArrayList;
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

    /**
     * Whether step 1 has anything that must be durable before step 2, given the term and vote last written: entries,
     * a snapshot, a new term or vote must be; a commit index alone need not (a restarted node then re-applies less at
     * once and learns the rest from its leader). How the actor shell ({@code RaftMember}) writes, and so how the
     * simulation that stands in for it writes too.
     */
    public boolean needsWrite(HardState lastWritten) {
        if (snapshot.isPresent() || !entries.isEmpty()) {
            return true;
        }
        return hardState.filter(hs -> hs.term() != lastWritten.term() || !hs.votedFor().equals(lastWritten.votedFor()))
                .isPresent();
    }

    /** {@code messages} split by {@link #splitForWrite}: those that may go out at once, and those after the write. */
    public record MessagesAroundWrite(List<RaftMessage> now, List<RaftMessage> afterWrite) {}

    /**
     * Raft thesis 10.2.1: a leader may replicate while it writes its own log. Its appends and heartbeats of a term
     * already durable ({@code durableTerm}) may go out before this Ready's write, since it commits nothing before that
     * write completes; votes, acknowledgements and everything else wait for it. With no other voter there is nobody
     * to replicate to, and everything waits.
     */
    public MessagesAroundWrite splitForWrite(long durableTerm, boolean otherVoters) {
        if (!otherVoters) {
            return new MessagesAroundWrite(List.of(), messages);
        }
        List<RaftMessage> now = new ArrayList<>();
        List<RaftMessage> later = new ArrayList<>(messages.size());
        for (RaftMessage m : messages) {
            boolean fromLeader = m instanceof RaftMessage.AppendEntries || m instanceof RaftMessage.Heartbeat;
            (fromLeader && m.term() <= durableTerm ? now : later).add(m);
        }
        return new MessagesAroundWrite(now, later);
    }
}

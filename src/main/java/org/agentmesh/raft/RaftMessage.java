package org.agentmesh.raft;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/**
 * The messages Raft peers exchange. Every message carries the sender's term; {@code from} and {@code to} are node ids.
 * No field is ever null ({@code ""} stands for "no node").
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = RaftMessage.PreVoteRequest.class, name = "PreVoteRequest"),
    @JsonSubTypes.Type(value = RaftMessage.PreVoteResponse.class, name = "PreVoteResponse"),
    @JsonSubTypes.Type(value = RaftMessage.VoteRequest.class, name = "VoteRequest"),
    @JsonSubTypes.Type(value = RaftMessage.VoteResponse.class, name = "VoteResponse"),
    @JsonSubTypes.Type(value = RaftMessage.AppendEntries.class, name = "AppendEntries"),
    @JsonSubTypes.Type(value = RaftMessage.AppendEntriesResponse.class, name = "AppendEntriesResponse"),
    @JsonSubTypes.Type(value = RaftMessage.Heartbeat.class, name = "Heartbeat"),
    @JsonSubTypes.Type(value = RaftMessage.HeartbeatResponse.class, name = "HeartbeatResponse"),
    @JsonSubTypes.Type(value = RaftMessage.InstallSnapshot.class, name = "InstallSnapshot"),
    @JsonSubTypes.Type(value = RaftMessage.TimeoutNow.class, name = "TimeoutNow"),
    @JsonSubTypes.Type(value = RaftMessage.ReadIndexRequest.class, name = "ReadIndexRequest"),
    @JsonSubTypes.Type(value = RaftMessage.ReadIndexResponse.class, name = "ReadIndexResponse")
})
public sealed interface RaftMessage extends RaftInput, CborSerializable {

    String from();

    String to();

    long term();

    /**
     * Asks whether the sender could win an election at {@code term} (its current term + 1) without the receivers
     * changing their own term: a node cut off from the cluster cannot disrupt it by inflating terms.
     */
    record PreVoteRequest(String from, String to, long term, long lastLogIndex, long lastLogTerm)
            implements RaftMessage {}

    /** {@code term} is the request's term when granted, the responder's current term otherwise. */
    record PreVoteResponse(String from, String to, long term, boolean granted) implements RaftMessage {}

    /** {@code leadershipTransfer} marks an election started by TimeoutNow: receivers then ignore their leader lease. */
    record VoteRequest(String from, String to, long term, long lastLogIndex, long lastLogTerm,
            boolean leadershipTransfer) implements RaftMessage {}

    record VoteResponse(String from, String to, long term, boolean granted) implements RaftMessage {}

    record AppendEntries(String from, String to, long term, long prevLogIndex, long prevLogTerm,
            List<LogEntry> entries, long leaderCommit) implements RaftMessage {}

    /**
     * On success {@code index} is the last index known to match the leader. On rejection {@code index} is the rejected
     * {@code prevLogIndex} and ({@code hintIndex}, {@code hintTerm}) the follower's last entry with term at most the
     * leader's {@code prevLogTerm} at or below it, so the leader can skip a whole conflicting term in one round.
     */
    record AppendEntriesResponse(String from, String to, long term, boolean success, long index, long hintIndex,
            long hintTerm) implements RaftMessage {}

    /**
     * Keeps followers from starting elections and carries the commit index (never beyond what the follower is known to
     * hold). {@code seq} numbers heartbeat rounds: a read index is confirmed once a majority acknowledged its round.
     */
    record Heartbeat(String from, String to, long term, long commit, long seq) implements RaftMessage {}

    record HeartbeatResponse(String from, String to, long term, long seq) implements RaftMessage {}

    /** The leader's latest snapshot, for a follower that needs entries the leader has compacted away. */
    record InstallSnapshot(String from, String to, long term, Snapshot snapshot) implements RaftMessage {}

    /** Leadership transfer: the receiver starts an election at once, skipping pre-vote. */
    record TimeoutNow(String from, String to, long term) implements RaftMessage {}

    /** A follower asks the leader for a read index on behalf of its local request {@code requestId}. */
    record ReadIndexRequest(String from, String to, long term, long requestId) implements RaftMessage {}

    /** {@code success} false means the receiver was not (or no longer) a leader able to confirm the read. */
    record ReadIndexResponse(String from, String to, long term, long requestId, long readIndex, boolean success)
            implements RaftMessage {}
}

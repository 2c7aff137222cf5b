package org.agentmesh.raft;

import java.util.ArrayDeque;

/**
 * A leader's view of one follower or learner (etcd-raft's Progress). In {@link State#PROBE} the leader sends one
 * AppendEntries at a time until it finds where the logs match; in {@link State#REPLICATE} it streams entries without
 * waiting for acknowledgements, up to a window of in-flight messages; in {@link State#SNAPSHOT} it waits for the
 * follower to install a snapshot.
 */
final class Progress {

    enum State { PROBE, REPLICATE, SNAPSHOT }

    State state = State.PROBE;
    long match;
    long next;
    /** In PROBE: an AppendEntries was sent and its answer (or the next heartbeat answer) is awaited. */
    boolean paused;
    /** In REPLICATE: the last index of each unacknowledged AppendEntries, oldest first. */
    final ArrayDeque<Long> inflight = new ArrayDeque<>();
    /** When the oldest in-flight message was sent or the last acknowledgement advanced match. */
    long lastProgressAt;
    long pendingSnapshot;
    long snapshotSentAt;
    /** The highest commit index sent that the follower can apply. */
    long sentCommit;
    /** Heard from since the last check-quorum round. */
    boolean recentActive;
    /** The highest heartbeat round acknowledged in the current term. */
    long ackedSeq;

    Progress(long next) {
        this.next = next;
    }

    void becomeProbe(long next) {
        state = State.PROBE;
        this.next = Math.max(next, match + 1);
        paused = false;
        inflight.clear();
    }

    void becomeReplicate(long now) {
        state = State.REPLICATE;
        next = match + 1;
        paused = false;
        inflight.clear();
        lastProgressAt = now;
    }

    void becomeSnapshot(long index, long now) {
        state = State.SNAPSHOT;
        pendingSnapshot = index;
        snapshotSentAt = now;
        inflight.clear();
    }

    void freeInflightUpTo(long index) {
        while (!inflight.isEmpty() && inflight.peekFirst() <= index) {
            inflight.pollFirst();
        }
    }

    @Override
    public String toString() {
        return state + "(match=" + match + ", next=" + next + ", inflight=" + inflight.size() + ")";
    }
}

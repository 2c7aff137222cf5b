package org.agentmesh.memory;

import com.typesafe.config.Config;
import java.time.Duration;
import org.agentmesh.raft.RaftConfig;

/**
 * The {@code agent-mesh.raft} settings of the Raft groups that replicate each swarm's mesh memory.
 *
 * @param maxVoters most voters of a group; the other members are learners
 * @param core timeouts and batch limits handed to {@link org.agentmesh.raft.RaftCore}
 * @param tickInterval how often a member ticks its core
 * @param snapshotInterval a member snapshots its memory store (and compacts its log) after this many applied entries
 * @param requestTimeout how long a client request may take before it fails with {@link NoMajorityException}
 * @param retryBackoff pause before asking again when no leader is known
 * @param voterReplaceAfter a leader replaces a voter it has not heard from for this long
 * @param purgeInterval how often a leader proposes removing expired TTL entries (zero: never)
 * @param journalPlugin the journal plugin id members persist with ({@code ""}: the system's default journal)
 * @param journalSnapshotEvery every this many journal writes a member saves its state as a Pekko snapshot and deletes
 *     the events (and snapshots) older than the snapshot before, so a member's journal stays bounded
 */
public record RaftSettings(
        int maxVoters,
        RaftConfig core,
        Duration tickInterval,
        int snapshotInterval,
        Duration requestTimeout,
        Duration retryBackoff,
        Duration voterReplaceAfter,
        Duration purgeInterval,
        String journalPlugin,
        int journalSnapshotEvery) {

    public RaftSettings {
        if (maxVoters < 1) {
            throw new IllegalArgumentException("agent-mesh.raft.max-voters must be at least 1");
        }
        if (snapshotInterval < 1) {
            throw new IllegalArgumentException("agent-mesh.raft.snapshot-interval must be at least 1");
        }
        if (journalSnapshotEvery < 1) {
            throw new IllegalArgumentException("agent-mesh.raft.journal-snapshot-every must be at least 1");
        }
        if (purgeInterval.isNegative()) {
            throw new IllegalArgumentException("agent-mesh.raft.purge-interval must not be negative");
        }
    }

    /** Reads the {@code agent-mesh.raft} block of a config. */
    public static RaftSettings from(Config root) {
        Config c = root.getConfig("agent-mesh.raft");
        RaftConfig core = new RaftConfig(
                c.getDuration("heartbeat-interval").toMillis(),
                c.getDuration("election-timeout-min").toMillis(),
                c.getDuration("election-timeout-max").toMillis(),
                c.getInt("max-entries-per-append"),
                (int) c.getBytes("max-bytes-per-append").longValue(),
                c.getInt("max-inflight-appends"),
                c.getBoolean("pre-vote"),
                c.getBoolean("check-quorum"));
        return new RaftSettings(
                c.getInt("max-voters"),
                core,
                c.getDuration("tick-interval"),
                c.getInt("snapshot-interval"),
                c.getDuration("request-timeout"),
                c.getDuration("retry-backoff"),
                c.getDuration("voter-replace-after"),
                c.getDuration("purge-interval"),
                c.getString("journal-plugin"),
                c.getInt("journal-snapshot-every"));
    }

    public RaftSettings withSnapshotInterval(int entries) {
        return new RaftSettings(maxVoters, core, tickInterval, entries, requestTimeout, retryBackoff, voterReplaceAfter,
                purgeInterval, journalPlugin, journalSnapshotEvery);
    }

    public RaftSettings withVoterReplaceAfter(Duration after) {
        return new RaftSettings(maxVoters, core, tickInterval, snapshotInterval, requestTimeout, retryBackoff, after,
                purgeInterval, journalPlugin, journalSnapshotEvery);
    }

    public RaftSettings withRequestTimeout(Duration timeout) {
        return new RaftSettings(maxVoters, core, tickInterval, snapshotInterval, timeout, retryBackoff, voterReplaceAfter,
                purgeInterval, journalPlugin, journalSnapshotEvery);
    }

    public RaftSettings withMaxVoters(int voters) {
        return new RaftSettings(voters, core, tickInterval, snapshotInterval, requestTimeout, retryBackoff,
                voterReplaceAfter, purgeInterval, journalPlugin, journalSnapshotEvery);
    }

    public RaftSettings withPurgeInterval(Duration interval) {
        return new RaftSettings(maxVoters, core, tickInterval, snapshotInterval, requestTimeout, retryBackoff,
                voterReplaceAfter, interval, journalPlugin, journalSnapshotEvery);
    }

    public RaftSettings withJournalSnapshotEvery(int writes) {
        return new RaftSettings(maxVoters, core, tickInterval, snapshotInterval, requestTimeout, retryBackoff,
                voterReplaceAfter, purgeInterval, journalPlugin, writes);
    }
}

package org.agentmesh.raft;

/**
 * Tuning of a {@link RaftCore}. Times are in the driver's milliseconds (virtual ones in simulation).
 *
 * @param heartbeatIntervalMillis how often a leader sends heartbeats (also the retransmission probe period)
 * @param electionTimeoutMinMillis lower bound of the randomized election timeout; also the leader lease and the
 *     check-quorum period
 * @param electionTimeoutMaxMillis upper bound (exclusive) of the randomized election timeout
 * @param maxEntriesPerAppend most entries one AppendEntries carries (batching)
 * @param maxBytesPerAppend most payload bytes one AppendEntries carries (at least one entry is always sent)
 * @param maxInflightAppends most unacknowledged AppendEntries per follower (pipelining window)
 * @param preVote run a pre-vote round before a real election
 * @param checkQuorum a leader steps down when it has not heard from a majority within an election timeout, and
 *     followers ignore vote requests while they hear from a leader (leader lease)
 */
public record RaftConfig(
        long heartbeatIntervalMillis,
        long electionTimeoutMinMillis,
        long electionTimeoutMaxMillis,
        int maxEntriesPerAppend,
        int maxBytesPerAppend,
        int maxInflightAppends,
        boolean preVote,
        boolean checkQuorum) {

    public RaftConfig {
        if (heartbeatIntervalMillis <= 0 || electionTimeoutMinMillis <= heartbeatIntervalMillis
                || electionTimeoutMaxMillis <= electionTimeoutMinMillis) {
            throw new IllegalArgumentException(
                    "need 0 < heartbeatInterval < electionTimeoutMin < electionTimeoutMax");
        }
        if (maxEntriesPerAppend < 1 || maxBytesPerAppend < 1 || maxInflightAppends < 1) {
            throw new IllegalArgumentException("batch and window sizes must be positive");
        }
    }

    /** 50 ms heartbeats, 150-300 ms election timeouts, batches of up to 256 entries / 1 MiB, 64 appends in flight. */
    public static RaftConfig defaults() {
        return new RaftConfig(50, 150, 300, 256, 1 << 20, 64, true, true);
    }

    public RaftConfig withBatch(int maxEntries, int maxBytes) {
        return new RaftConfig(heartbeatIntervalMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis, maxEntries,
                maxBytes, maxInflightAppends, preVote, checkQuorum);
    }

    public RaftConfig withPreVote(boolean on) {
        return new RaftConfig(heartbeatIntervalMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
                maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, on, checkQuorum);
    }

    public RaftConfig withCheckQuorum(boolean on) {
        return new RaftConfig(heartbeatIntervalMillis, electionTimeoutMinMillis, electionTimeoutMaxMillis,
                maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends, preVote, on);
    }
}

package org.agentmesh.failure;

/**
 * Tuning of {@link FailureDetectorCore}. Defaults follow the seed (heartbeat 3 s, timeout 10 s).
 *
 * @param probeIntervalMillis how often an agent pings each watched peer
 * @param timeoutMillis silence after which a watched peer is suspected; also how long a helper listens before it
 *     confirms it cannot reach a suspect
 * @param indirectProbes k: how many other agents a suspector asks to probe (other watchers first, then any live peer)
 * @param helperMinWaitMillis a helper listens at least this long after a ping-req, even if already silent for longer
 * @param suspicionMinMillis Lifeguard: the suspicion timeout once all k helpers confirmed
 * @param suspicionMaxMillis Lifeguard: the suspicion timeout with no confirmation; also the length of one ping-req round
 * @param quorumFraction confirmations needed: more than this fraction of the agents that answered
 * @param minConfirmations and at least this many other agents, whatever answered
 * @param livenessTimeoutMillis an agent whose heartbeat did not advance for this long (directly or through the digest
 *     of others) is reported unreachable
 * @param maxPiggyback most updates piggybacked on one message (news about the recipient is always added)
 * @param retransmitMultiplier each update is piggybacked multiplier * ceil(log2(N + 1)) times
 */
public record FailureDetectorConfig(
        long probeIntervalMillis,
        long timeoutMillis,
        int indirectProbes,
        long helperMinWaitMillis,
        long suspicionMinMillis,
        long suspicionMaxMillis,
        double quorumFraction,
        int minConfirmations,
        long livenessTimeoutMillis,
        int maxPiggyback,
        int retransmitMultiplier) {

    public FailureDetectorConfig {
        if (probeIntervalMillis <= 0 || timeoutMillis <= probeIntervalMillis) {
            throw new IllegalArgumentException("need 0 < probeIntervalMillis < timeoutMillis");
        }
        if (indirectProbes < 1 || minConfirmations < 1 || helperMinWaitMillis < 0) {
            throw new IllegalArgumentException("indirectProbes and minConfirmations must be >= 1, helperMinWaitMillis >= 0");
        }
        if (suspicionMinMillis <= 0 || suspicionMaxMillis < suspicionMinMillis) {
            throw new IllegalArgumentException("need 0 < suspicionMinMillis <= suspicionMaxMillis");
        }
        if (quorumFraction < 0 || quorumFraction >= 1) {
            throw new IllegalArgumentException("quorumFraction must be in [0, 1)");
        }
        if (livenessTimeoutMillis < timeoutMillis || maxPiggyback < 0 || retransmitMultiplier < 1) {
            throw new IllegalArgumentException("need livenessTimeoutMillis >= timeoutMillis, maxPiggyback >= 0, retransmitMultiplier >= 1");
        }
    }

    /** Heartbeat 3 s, timeout 10 s, k = 3, suspicion 3-15 s, majority quorum of at least 1 other, liveness 30 s. */
    public static FailureDetectorConfig defaults() {
        return of(3_000, 10_000);
    }

    /** Defaults scaled to another interval and timeout (suspicion min = 1 interval, max = 5 intervals). */
    public static FailureDetectorConfig of(long probeIntervalMillis, long timeoutMillis) {
        return new FailureDetectorConfig(probeIntervalMillis, timeoutMillis, 3, probeIntervalMillis,
                probeIntervalMillis, 5 * probeIntervalMillis, 0.5, 1, 3 * timeoutMillis, 8, 3);
    }

    /**
     * Lifeguard's suspicion timeout after {@code confirmations} of {@code expected} independent confirmations:
     * max(min, max - (max - min) * log(c + 1) / log(K + 1)).
     */
    public long suspicionTimeout(int confirmations, int expected) {
        int k = Math.max(1, expected);
        int c = Math.min(Math.max(0, confirmations), k);
        double shrink = (suspicionMaxMillis - suspicionMinMillis) * Math.log(c + 1) / Math.log(k + 1);
        return Math.max(suspicionMinMillis, suspicionMaxMillis - Math.round(shrink));
    }

    /** Confirmations needed when {@code answered} agents answered: more than quorumFraction of them, at least minConfirmations. */
    public int quorum(int answered) {
        return Math.max(minConfirmations, (int) Math.floor(answered * quorumFraction) + 1);
    }
}

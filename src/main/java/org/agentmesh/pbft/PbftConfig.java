package org.agentmesh.pbft;

import java.util.List;

/**
 * A pBFT group: the replicas (n = 3f+1; primary of view v = replicas[v mod n]) and the protocol's knobs.
 *
 * @param maxBatch                 most requests per pre-prepare
 * @param batchDelayMillis         how long the primary waits to fill a batch (0: issue at once)
 * @param checkpointInterval       K: a checkpoint every K sequence numbers (default 128)
 * @param logSize                  L: the high water mark is stable checkpoint + L (default 2K)
 * @param requestTimeoutMillis     how long a backup waits for a pending request before suspecting the primary
 * @param viewChangeTimeoutMillis  first wait for a NEW-VIEW; doubles on each consecutive failed view change
 * @param statusIntervalMillis     period of status broadcasts (retransmission)
 */
public record PbftConfig(List<String> replicas, int maxBatch, long batchDelayMillis, int checkpointInterval,
        int logSize, long requestTimeoutMillis, long viewChangeTimeoutMillis, long statusIntervalMillis) {

    public PbftConfig {
        replicas = List.copyOf(replicas);
        if (replicas.size() < 4 || (replicas.size() - 1) % 3 != 0) {
            throw new IllegalArgumentException("need n = 3f+1 >= 4 replicas, got " + replicas.size());
        }
        if (replicas.stream().distinct().count() != replicas.size()) {
            throw new IllegalArgumentException("replica ids must be distinct");
        }
        if (maxBatch < 1 || checkpointInterval < 1 || logSize < checkpointInterval || batchDelayMillis < 0
                || requestTimeoutMillis < 1 || viewChangeTimeoutMillis < 1 || statusIntervalMillis < 1) {
            throw new IllegalArgumentException("invalid pBFT settings");
        }
    }

    public static PbftConfig defaults(List<String> replicas) {
        return new PbftConfig(replicas, 64, 2, 128, 256, 2_000, 2_000, 200);
    }

    public int n() {
        return replicas.size();
    }

    public int f() {
        return (replicas.size() - 1) / 3;
    }

    public String primary(long view) {
        return replicas.get((int) Math.floorMod(view, (long) replicas.size()));
    }

    public PbftConfig withBatching(int maxBatch, long batchDelayMillis) {
        return new PbftConfig(replicas, maxBatch, batchDelayMillis, checkpointInterval, logSize, requestTimeoutMillis,
                viewChangeTimeoutMillis, statusIntervalMillis);
    }

    public PbftConfig withCheckpoints(int checkpointInterval, int logSize) {
        return new PbftConfig(replicas, maxBatch, batchDelayMillis, checkpointInterval, logSize, requestTimeoutMillis,
                viewChangeTimeoutMillis, statusIntervalMillis);
    }

    public PbftConfig withTimeouts(long requestTimeoutMillis, long viewChangeTimeoutMillis, long statusIntervalMillis) {
        return new PbftConfig(replicas, maxBatch, batchDelayMillis, checkpointInterval, logSize, requestTimeoutMillis,
                viewChangeTimeoutMillis, statusIntervalMillis);
    }
}

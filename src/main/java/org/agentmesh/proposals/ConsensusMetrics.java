package org.agentmesh.proposals;

import java.util.List;
import java.util.Map;

/**
 * A swarm's consensus as measured: committee size n and the byzantine threshold f it was built for; the replicas
 * {@code live} now (not departed in the ledger and answering) and the faults {@code fTolerated} it still tolerates
 * (f minus the replicas {@code down}); whether it {@code canDecide} (2f+1 live); replicas answering counted in
 * {@code responsive}; the view and view changes, decisions with their latency (proposal to decision, as
 * executed) and vote participation, request latency at this node's client, and dropped messages by reason (summed).
 */
public record ConsensusMetrics(String swarmId, int n, int f, int live, int fTolerated, boolean canDecide,
        List<String> down, int responsive, List<String> committee, long view,
        long viewChangesStarted, long viewChangesCompleted, long decisions, Percentiles decisionLatencyMillis,
        double voteParticipation, Percentiles requestLatencyMillis, Map<String, Long> dropped,
        List<PbftReplica.ReplicaMetrics> replicas) {

    /** count, p50, p99 and max of a sample (all 0 for an empty one). */
    public record Percentiles(int count, long p50, long p99, long max) {
        public static Percentiles of(List<Long> sample) {
            if (sample.isEmpty()) {
                return new Percentiles(0, 0, 0, 0);
            }
            List<Long> sorted = sample.stream().sorted().toList();
            return new Percentiles(sorted.size(), at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1));
        }

        private static long at(List<Long> sorted, double q) {
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
        }
    }
}

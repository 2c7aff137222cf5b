package org.agentmesh.swarm;

import java.util.List;
import java.util.Locale;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.strategy.LoadMetrics;
import org.agentmesh.task.TaskEntity;

/**
 * A swarm's performance report, every number measured from the live agents or the task history in the journal;
 * what this build does not measure yet is {@code null}, never made up.
 */
public record SwarmReport(String swarmId, long generatedAtMillis, NetworkHealth network, Throughput throughput,
        LoadDistribution load, Consensus consensus) {

    /** {@code connectivity}: share of agents that answered this node; {@code latencyMillis}: mean round trip of those answers. */
    public record NetworkHealth(int agents, int reachable, double connectivity, Double latencyMillis, Double partitionRecoveryMillis) {}

    /** From the task history: how many completed, how fast, and how long from submission to completion. */
    public record Throughput(long submitted, long completed, long failed, long pending, Double completedPerSecond,
            Double latencyP50Millis, Double latencyP99Millis, long attemptsExecuted) {}

    /** Utilization = (running + queued) / capacity per agent, as the workers report now; moves from the task history. */
    public record LoadDistribution(double meanUtilization, double utilizationStdDev, List<String> hotspots, long steals,
            long migrations, Double migrationsPerMinute) {}

    /**
     * From the swarm's pBFT committee: median decision latency and vote participation of decided proposals (null before
     * the first decision), completed view changes, and f, the lying agents it tolerates now (the committee's f minus
     * its replicas down). All null without a committee.
     */
    public record Consensus(Double decisionLatencyMillis, Double voteParticipation, Long viewChanges, Integer byzantineTolerance) {

        static final Consensus NONE = new Consensus(null, null, null, null);

        static Consensus of(org.agentmesh.proposals.ConsensusMetrics m) {
            boolean decided = m.decisions() > 0 && m.decisionLatencyMillis().count() > 0;
            return new Consensus(decided ? (double) m.decisionLatencyMillis().p50() : null, decided ? m.voteParticipation() : null,
                    m.viewChangesCompleted(), m.fTolerated());
        }
    }

    static SwarmReport build(String swarmId, SwarmStatus status, double meanRoundTripMillis, List<AgentLoad> loads,
            List<TaskEntity.State> tasks, long steals, long migrations, double hotThreshold, Consensus consensus) {
        NetworkHealth network = new NetworkHealth(status.agentCount(), status.active(),
                status.agentCount() == 0 ? 0.0 : (double) status.active() / status.agentCount(),
                status.active() == 0 ? null : meanRoundTripMillis, null);

        long completed = tasks.stream().filter(t -> t.phase() == TaskEntity.Phase.COMPLETED).count();
        long failed = tasks.stream().filter(t -> t.phase() == TaskEntity.Phase.FAILED).count();
        long pending = tasks.stream().filter(t -> !t.phase().terminal()).count();
        long attempts = tasks.stream().mapToLong(TaskEntity.State::executions).sum();
        long[] latencies = tasks.stream().filter(t -> t.phase() == TaskEntity.Phase.COMPLETED)
                .mapToLong(t -> t.finishedAtMillis() - t.submittedAtMillis()).sorted().toArray();
        long first = tasks.stream().mapToLong(TaskEntity.State::submittedAtMillis).min().orElse(0);
        long last = tasks.stream().filter(t -> t.phase() == TaskEntity.Phase.COMPLETED).mapToLong(TaskEntity.State::finishedAtMillis).max().orElse(0);
        Double perSecond = completed == 0 || last <= first ? null : completed / ((last - first) / 1000.0);
        Throughput throughput = new Throughput(tasks.size(), completed, failed, pending, perSecond,
                percentile(latencies, 0.5), percentile(latencies, 0.99), attempts);

        LoadMetrics metrics = LoadMetrics.of(loads, hotThreshold);
        Double migrationsPerMinute = tasks.isEmpty() || last <= first ? null : migrations / ((last - first) / 60_000.0);
        LoadDistribution load = new LoadDistribution(metrics.meanUtilization(), metrics.utilizationStdDev(), metrics.hotspots(),
                steals, migrations, migrationsPerMinute);

        return new SwarmReport(swarmId, System.currentTimeMillis(), network, throughput, load, consensus);
    }

    private static Double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return null;
        }
        return (double) sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    /** The report as a few readable lines. */
    public String summary() {
        return String.format(Locale.ROOT, """
                swarm %s
                network:    %d/%d agents reachable (%.0f%%), mean round trip %s ms, partition recovery %s
                throughput: %d tasks (%d completed, %d failed, %d open), %s completed/s, latency p50 %s ms p99 %s ms, %d attempts
                load:       mean utilization %.2f, stddev %.2f, hotspots %s, %d steals, %d migrations (%s/min)
                consensus:  decision latency %s, vote participation %s, view changes %s, tolerates f = %s
                """, swarmId, network.reachable(), network.agents(), network.connectivity() * 100, n(network.latencyMillis()),
                n(network.partitionRecoveryMillis()), throughput.submitted(), throughput.completed(), throughput.failed(),
                throughput.pending(), n(throughput.completedPerSecond()), n(throughput.latencyP50Millis()), n(throughput.latencyP99Millis()),
                throughput.attemptsExecuted(), load.meanUtilization(), load.utilizationStdDev(), load.hotspots(), load.steals(),
                load.migrations(), n(load.migrationsPerMinute()), n(consensus.decisionLatencyMillis()), n(consensus.voteParticipation()),
                consensus.viewChanges() == null ? "not measured" : consensus.viewChanges(),
                consensus.byzantineTolerance() == null ? "not measured" : consensus.byzantineTolerance());
    }

    private static String n(Double d) {
        return d == null ? "not measured" : String.format(Locale.ROOT, "%.1f", d);
    }
}

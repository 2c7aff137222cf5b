package org.agentmesh.swarm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.strategy.LoadMetrics;
import org.agentmesh.task.TaskEntity;

/**
 * A swarm's performance report, every number measured from the live agents or the task history in the journal;
 * what this build does not measure (or cannot measure over the asked window) is {@code null}, never made up.
 *
 * <p>Network health and utilization are measured now; task throughput, latency and moves over {@code window}
 * (the whole history, or e.g. the last 5 minutes); consensus numbers only for the whole history.
 */
public record SwarmReport(String swarmId, long generatedAtMillis, Window window, NetworkHealth network, Throughput throughput,
        LoadDistribution load, Consensus consensus) {

    /** What the history sections cover: {@code timeframe} as asked ("all", "5m"), from and to in wall-clock millis. */
    public record Window(String timeframe, long fromMillis, long toMillis) {}

    /** {@code connectivity}: share of agents that answered this node; {@code latencyMillis}: mean round trip of those answers. */
    public record NetworkHealth(int agents, int reachable, double connectivity, Double latencyMillis, Double partitionRecoveryMillis) {}

    /**
     * From the task history: tasks submitted in the window, completed and failed in it (by their finish time), open
     * now; rate and latency of the window's completions; attempts executed (whole history only, null for a window).
     */
    public record Throughput(long submitted, long completed, long failed, long pending, Double completedPerSecond,
            Double latencyP50Millis, Double latencyP99Millis, Long attemptsExecuted) {}

    /**
     * Utilization = (running + queued) / capacity per agent, as each worker reports it now (an agent that did not answer
     * is left out); steals and migrations in the window, from the task history; {@code agents}: each agent's own numbers.
     */
    public record LoadDistribution(double meanUtilization, double utilizationStdDev, List<String> hotspots, long steals,
            long migrations, Double migrationsPerMinute, List<AgentLoadReport> agents) {}

    /**
     * One agent: {@code running}/{@code queued} as its worker reports them now ({@code live} false, and zeros, when it
     * did not answer); {@code holding}: unfinished tasks the task history assigns to it now; {@code completed}: tasks it
     * completed in the window.
     */
    public record AgentLoadReport(String agentId, boolean live, int capacity, int running, int queued, double utilization,
            boolean hot, long holding, long completed) {}

    /**
     * From the swarm's pBFT committee: median decision latency and vote participation of decided proposals (null before
     * the first decision), completed view changes, and f, the lying agents it tolerates now (the committee's f minus
     * its replicas down). All null without a committee; latency, participation and view changes are null for a window
     * (the committee keeps no times for them).
     */
    public record Consensus(Double decisionLatencyMillis, Double voteParticipation, Long viewChanges, Integer byzantineTolerance) {

        static final Consensus NONE = new Consensus(null, null, null, null);

        static Consensus of(org.agentmesh.proposals.ConsensusMetrics m) {
            boolean decided = m.decisions() > 0 && m.decisionLatencyMillis().count() > 0;
            return new Consensus(decided ? (double) m.decisionLatencyMillis().p50() : null, decided ? m.voteParticipation() : null,
                    m.viewChangesCompleted(), m.fTolerated());
        }

        /** Only what holds for any window: the tolerance of the committee as it is now. */
        Consensus windowed() {
            return new Consensus(null, null, null, byzantineTolerance);
        }
    }

    /**
     * Builds the report. {@code moves} are [steals, migrations] already counted over the window; {@code nowMillis} is
     * the end of the window.
     */
    static SwarmReport build(String swarmId, SwarmStatus status, double meanRoundTripMillis, List<AgentLoad> loads,
            List<TaskEntity.State> tasks, long steals, long migrations, double hotThreshold, Consensus consensus,
            ReportWindow window, long nowMillis) {
        NetworkHealth network = new NetworkHealth(status.agentCount(), status.active(),
                status.agentCount() == 0 ? 0.0 : (double) status.active() / status.agentCount(),
                status.active() == 0 ? null : meanRoundTripMillis, null);

        boolean all = window.length().isEmpty();
        long from = all ? status.createdAtMillis() : Math.max(window.fromMillis(nowMillis), status.createdAtMillis());
        List<TaskEntity.State> finishedInWindow = tasks.stream()
                .filter(t -> t.phase().terminal() && (all || t.finishedAtMillis() >= from)).toList();
        List<TaskEntity.State> completedInWindow = finishedInWindow.stream().filter(t -> t.phase() == TaskEntity.Phase.COMPLETED).toList();
        long submitted = all ? tasks.size() : tasks.stream().filter(t -> t.submittedAtMillis() >= from).count();
        long completed = completedInWindow.size();
        long failed = finishedInWindow.stream().filter(t -> t.phase() == TaskEntity.Phase.FAILED).count();
        long pending = tasks.stream().filter(t -> !t.phase().terminal()).count();
        long[] latencies = completedInWindow.stream().mapToLong(t -> t.finishedAtMillis() - t.submittedAtMillis()).sorted().toArray();

        Double perSecond;
        Double migrationsPerMinute;
        if (all) {
            // the whole history: from the first submission to the last completion (the time the swarm was working)
            long first = tasks.stream().mapToLong(TaskEntity.State::submittedAtMillis).min().orElse(0);
            long last = completedInWindow.stream().mapToLong(TaskEntity.State::finishedAtMillis).max().orElse(0);
            perSecond = completed == 0 || last <= first ? null : completed / ((last - first) / 1000.0);
            migrationsPerMinute = tasks.isEmpty() || last <= first ? null : migrations / ((last - first) / 60_000.0);
        } else {
            // a window: over the part of it the swarm existed
            long span = nowMillis - from;
            perSecond = span <= 0 ? null : completed / (span / 1000.0);
            migrationsPerMinute = span <= 0 ? null : migrations / (span / 60_000.0);
        }
        Long attempts = all ? tasks.stream().mapToLong(TaskEntity.State::executions).sum() : null;
        Throughput throughput = new Throughput(submitted, completed, failed, pending, perSecond,
                percentile(latencies, 0.5), percentile(latencies, 0.99), attempts);

        LoadMetrics metrics = LoadMetrics.of(loads, hotThreshold);
        List<AgentLoadReport> perAgent = new ArrayList<>();
        for (AgentLoad a : loads) {
            long holding = tasks.stream().filter(t -> !t.phase().terminal() && a.agentId().equals(t.agentId())).count();
            long done = completedInWindow.stream().filter(t -> a.agentId().equals(t.agentId())).count();
            perAgent.add(new AgentLoadReport(a.agentId(), a.live(), a.capacity(), a.running(), a.queued(), a.utilization(),
                    a.live() && a.utilization() > hotThreshold, holding, done));
        }
        LoadDistribution load = new LoadDistribution(metrics.meanUtilization(), metrics.utilizationStdDev(), metrics.hotspots(),
                steals, migrations, migrationsPerMinute, perAgent);

        return new SwarmReport(swarmId, nowMillis, new Window(window.label(), from, nowMillis), network, throughput, load,
                all ? consensus : consensus.windowed());
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
                swarm %s (history: %s)
                network:    %d/%d agents reachable (%.0f%%), mean round trip %s ms, partition recovery %s
                throughput: %d tasks (%d completed, %d failed, %d open), %s completed/s, latency p50 %s ms p99 %s ms, %s attempts
                load:       mean utilization %.2f, stddev %.2f, hotspots %s, %d steals, %d migrations (%s/min)
                consensus:  decision latency %s, vote participation %s, view changes %s, tolerates f = %s
                """, swarmId, window.timeframe(), network.reachable(), network.agents(), network.connectivity() * 100, n(network.latencyMillis()),
                n(network.partitionRecoveryMillis()), throughput.submitted(), throughput.completed(), throughput.failed(),
                throughput.pending(), n(throughput.completedPerSecond()), n(throughput.latencyP50Millis()), n(throughput.latencyP99Millis()),
                throughput.attemptsExecuted() == null ? "not measured" : throughput.attemptsExecuted(),
                load.meanUtilization(), load.utilizationStdDev(), load.hotspots(), load.steals(),
                load.migrations(), n(load.migrationsPerMinute()), n(consensus.decisionLatencyMillis()), n(consensus.voteParticipation()),
                consensus.viewChanges() == null ? "not measured" : consensus.viewChanges(),
                consensus.byzantineTolerance() == null ? "not measured" : consensus.byzantineTolerance());
    }

    private static String n(Double d) {
        return d == null ? "not measured" : String.format(Locale.ROOT, "%.1f", d);
    }
}

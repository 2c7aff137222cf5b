package org.agentmesh.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * This node's measured counters and timers (Micrometer), served as Prometheus text at {@code GET /metrics}. Every
 * value is counted where the thing happens (a task entity recording its completion, a worker running an attempt), so
 * each node reports what it did; Prometheus sums over nodes.
 */
public final class MeshMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public MeshMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Prometheus exposition text; gauges that sample state (gossip) are refreshed first. */
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }

    private final java.util.List<Runnable> beforeScrape = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Gossip gauges per swarm, sampled from the gossip members running on this node at every scrape.
     *
     * @param sample swarm id -> {connectivity (mean, 0..1), messages per second (sum), live peers (max), seconds since
     *               the last view change (least), convergence seconds (the slowest of the recent updates' propagation
     *               times at this node's agents; NaN before any)}
     */
    public void gossipGauges(java.util.function.Supplier<java.util.Map<String, double[]>> sample) {
        String[][] gauges = {
                {"agent_mesh_gossip_connectivity", "share of overlay links heard from recently, mean over this node's agents"},
                {"agent_mesh_gossip_messages_per_second", "gossip messages sent + received per second by this node's agents"},
                {"agent_mesh_gossip_live_peers", "live peers in the views of this node's agents (max)"},
                {"agent_mesh_gossip_seconds_since_view_change", "since the set of live peers last changed at any of this node's agents"},
                {"agent_mesh_gossip_convergence_seconds", "slowest propagation, from the owner's change to its arrival, of the last 64 "
                        + "updates each of this node's agents took in (assumes the nodes' clocks are in step)"}};
        java.util.List<io.micrometer.core.instrument.MultiGauge> multi = new java.util.ArrayList<>();
        for (String[] g : gauges) {
            multi.add(io.micrometer.core.instrument.MultiGauge.builder(g[0]).description(g[1]).register(registry));
        }
        beforeScrape.add(() -> {
            java.util.Map<String, double[]> bySwarm = sample.get();
            for (int i = 0; i < multi.size(); i++) {
                int k = i;
                multi.get(i).register(bySwarm.entrySet().stream().map(e -> io.micrometer.core.instrument.MultiGauge.Row.of(
                        io.micrometer.core.instrument.Tags.of("swarm", e.getKey()), e.getValue()[k])).toList(), true);
            }
        });
    }

    private Counter counter(String name, String description, String swarm) {
        return Counter.builder(name).description(description).tag("swarm", swarm).register(registry);
    }

    public void taskSubmitted(String swarm) {
        counter("agent_mesh_tasks_submitted", "tasks accepted", swarm).increment();
    }

    /** A task completed; {@code latency} from its submission to its completion, as recorded by its entity. */
    public void taskCompleted(String swarm, Duration latency) {
        counter("agent_mesh_tasks_completed", "tasks completed", swarm).increment();
        Timer.builder("agent_mesh_task_latency").description("submission to completion").tag("swarm", swarm)
                .publishPercentiles(0.5, 0.99).register(registry).record(latency);
    }

    public void taskFailed(String swarm) {
        counter("agent_mesh_tasks_failed", "tasks failed for good", swarm).increment();
    }

    public void taskRetried(String swarm, boolean leaseLost) {
        Counter.builder("agent_mesh_task_retries").description("attempts that ended without success")
                .tag("swarm", swarm).tag("cause", leaseLost ? "lease-lost" : "failed").register(registry).increment();
    }

    public void taskMoved(String swarm, boolean stolen) {
        counter(stolen ? "agent_mesh_task_steals" : "agent_mesh_task_migrations",
                stolen ? "tasks stolen by idle agents" : "tasks migrated by the load balancer", swarm).increment();
    }

    public void attemptExecuted(String swarm, String executor, boolean success, Duration took) {
        Timer.builder("agent_mesh_attempts").description("attempts run by this node's workers")
                .tag("swarm", swarm).tag("executor", executor).tag("outcome", success ? "success" : "failure")
                .register(registry).record(took);
    }

    // ---- failure detection and partitions (counted by each agent's failure detector on the node hosting it)

    /**
     * This node's agent declared a peer failed: {@code detectionMillis} from the last message heard from it to the
     * confirmation (negative: never heard from it, no time recorded), with {@code confirmations} watchers agreeing.
     */
    public void failureDeclared(String swarm, long detectionMillis, int confirmations) {
        counter("agent_mesh_failures_declared", "peer failures declared (quorum-confirmed) by this node's agents", swarm).increment();
        if (detectionMillis >= 0) {
            Timer.builder("agent_mesh_failure_detection").description("last message heard from a peer to its confirmed failure")
                    .tag("swarm", swarm).publishPercentiles(0.5, 0.99).register(registry).record(Duration.ofMillis(detectionMillis));
        }
        DistributionSummary.builder("agent_mesh_failure_confirmations").description("confirmations gathered per declared failure")
                .tag("swarm", swarm).register(registry).record(confirmations);
    }

    /** Suspicions of this node's agents that the suspect refuted (it was alive). */
    public void falseSuspicions(String swarm, long count) {
        counter("agent_mesh_failure_false_suspicions", "suspicions refuted by the suspect", swarm).increment(count);
    }

    /** A failed peer was seen alive again (it refuted the verdict or restarted): routable again. */
    public void peerRejoined(String swarm) {
        counter("agent_mesh_failure_rejoins", "agents held failed and then seen alive again", swarm).increment();
    }

    /** Recovery ran for a failed agent (declared by an agent of this node): {@code tasks} of its unfinished tasks were re-dispatched. */
    public void failureRecovered(String swarm, int tasks) {
        counter("agent_mesh_failure_recoveries", "recoveries run for failed agents", swarm).increment();
        tasksRedispatched(swarm, tasks);
    }

    /** {@code tasks} unfinished tasks of a failed agent were re-dispatched (by a recovery, or by a node that learned of the failure). */
    public void tasksRedispatched(String swarm, int tasks) {
        counter("agent_mesh_tasks_redispatched", "tasks of failed agents re-dispatched at once", swarm).increment(tasks);
    }

    /** An agent of this node entered READ_ONLY (it reaches no majority of its swarm). */
    public void partitionEntered(String swarm) {
        counter("agent_mesh_partitions", "times an agent of this node entered READ_ONLY", swarm).increment();
    }

    /** An agent of this node returned to NORMAL after {@code readOnlyFor} in READ_ONLY. */
    public void partitionRecovered(String swarm, Duration readOnlyFor) {
        Timer.builder("agent_mesh_partition_recovery").description("READ_ONLY to NORMAL again, per agent")
                .tag("swarm", swarm).register(registry).record(readOnlyFor);
    }

    /** How many of this node's agents of {@code swarm} are in {@code mode} now (NORMAL, READ_ONLY); idempotent. */
    public void agentsInMode(String swarm, String mode, java.util.function.Supplier<Number> count) {
        if (registry.find("agent_mesh_agents_in_mode").tags("swarm", swarm, "mode", mode).gauge() == null) {
            Gauge.builder("agent_mesh_agents_in_mode", count).description("this node's agents in each partition mode")
                    .tag("swarm", swarm).tag("mode", mode).register(registry);
        }
    }
}

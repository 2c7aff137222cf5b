package org.agentmesh.metrics;

import io.micrometer.core.instrument.Counter;
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
     *               the last view change (least)}
     */
    public void gossipGauges(java.util.function.Supplier<java.util.Map<String, double[]>> sample) {
        String[][] gauges = {
                {"agent_mesh_gossip_connectivity", "share of overlay links heard from recently, mean over this node's agents"},
                {"agent_mesh_gossip_messages_per_second", "gossip messages sent + received per second by this node's agents"},
                {"agent_mesh_gossip_live_peers", "live peers in the views of this node's agents (max)"},
                {"agent_mesh_gossip_seconds_since_view_change", "since the set of live peers last changed at any of this node's agents"}};
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
}

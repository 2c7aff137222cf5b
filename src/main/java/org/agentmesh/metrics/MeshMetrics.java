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

    /** Prometheus exposition text. */
    public String scrape() {
        return registry.scrape();
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

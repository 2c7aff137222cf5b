package org.agentmesh.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/** The report and the Prometheus text say what the state says: cross-checked against the tasks and agents they measure. */
class MetricsAndReportTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void reportAndMetricsAgreeWithTheState() throws Exception {
        int tasks = 30;
        try (MeshTestCluster cluster = MeshTestCluster.start(1)) {
            AgentMesh mesh = cluster.node(0).mesh();
            String base = cluster.node(0).httpBase();
            mesh.createSwarm(SwarmRequest.of("r", 3)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> mesh.status("r").toCompletableFuture().join().active() == 3);
            for (int i = 0; i < tasks; i++) {
                mesh.submitTask("r", TaskRequest.sleep("r" + i, 20, List.of())).toCompletableFuture().join();
            }
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> mesh.tasks("r", Optional.of(TaskEntity.Phase.COMPLETED), 100)
                    .toCompletableFuture().join().size() == tasks);

            JsonNode report = Json.MAPPER.readTree(get(base + "/api/v1/swarms/r/report"));
            List<TaskEntity.State> all = mesh.tasks("r", Optional.empty(), 100).toCompletableFuture().join();
            assertEquals(3, report.at("/network/agents").asInt());
            assertEquals(3, report.at("/network/reachable").asInt());
            assertEquals(1.0, report.at("/network/connectivity").asDouble());
            assertTrue(report.at("/network/latencyMillis").asDouble() > 0);
            assertTrue(report.at("/network/partitionRecoveryMillis").isNull(), "not measured yet, so null");
            assertEquals(all.size(), report.at("/throughput/submitted").asInt());
            assertEquals(tasks, report.at("/throughput/completed").asInt());
            assertEquals(all.stream().mapToLong(TaskEntity.State::executions).sum(), report.at("/throughput/attemptsExecuted").asLong());
            long maxLatency = all.stream().mapToLong(t -> t.finishedAtMillis() - t.submittedAtMillis()).max().orElseThrow();
            assertTrue(report.at("/throughput/latencyP99Millis").asDouble() <= maxLatency);
            assertTrue(report.at("/throughput/latencyP50Millis").asDouble() >= 20, "no task finishes faster than its 20 ms sleep");
            long moved = all.stream().filter(t -> t.attempt() > 1).count();
            assertTrue(report.at("/load/steals").asLong() + report.at("/load/migrations").asLong() >= moved);
            assertEquals(0.0, report.at("/load/meanUtilization").asDouble(), "idle after the workload");
            assertTrue(report.at("/consensus/decisionLatencyMillis").isNull());

            String summary = get(base + "/api/v1/swarms/r/report?format=summary");
            assertTrue(summary.contains("3/3 agents reachable"), summary);
            assertTrue(summary.contains(tasks + " completed"), summary);

            String metrics = get(base + "/metrics");
            Matcher m = Pattern.compile("agent_mesh_tasks_completed_total\\{swarm=\"r\"} ([0-9.]+)").matcher(metrics);
            assertTrue(m.find(), metrics.lines().filter(l -> l.contains("agent_mesh")).toList().toString());
            assertEquals(tasks, (int) Double.parseDouble(m.group(1)));
            assertTrue(metrics.contains("agent_mesh_tasks_submitted_total{swarm=\"r\"} " + tasks + ".0"), "submitted counter");
            assertTrue(metrics.contains("jvm_memory_used_bytes"));
        }
    }
}

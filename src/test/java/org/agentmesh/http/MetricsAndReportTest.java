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
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * Utilization, its spread and the hotspots, recomputed from how many tasks the test itself pinned on each agent,
     * and compared with the report, the workers' own accounts and the task history. Stealing and the balancer are
     * off and the tasks are external (they wait for a claim), so nothing moves while the numbers are compared.
     */
    @Test
    void loadSectionMatchesThePerAgentCounts() throws Exception {
        Map<String, Integer> pinned = new TreeMap<>(Map.of("agent-1", 5, "agent-2", 3, "agent-3", 1, "agent-4", 0));
        try (MeshTestCluster cluster = MeshTestCluster.start(1, Map.of("agent-mesh.scheduling.stealing.enabled", "off",
                "agent-mesh.scheduling.balancer.enabled", "off"))) {
            AgentMesh mesh = cluster.node(0).mesh();
            String base = cluster.node(0).httpBase();
            mesh.createSwarm(SwarmRequest.of("l", 4)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> mesh.status("l").toCompletableFuture().join().active() == 4);
            int capacity = mesh.status("l").toCompletableFuture().join().agents().get(0).capacity();
            for (var e : pinned.entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    mesh.submitTask("l", new TaskRequest(e.getKey() + "-" + i, List.of(), null, null, null, "external", null, null,
                            null, e.getKey())).toCompletableFuture().join();
                }
            }
            int total = pinned.values().stream().mapToInt(Integer::intValue).sum();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> mesh.workerLoads("l").toCompletableFuture().join().stream()
                    .mapToInt(l -> l.running() + l.queued()).sum() == total);

            // one of agent-3's tasks is claimed and completed by its external agent: done, and no longer held
            JsonNode claim = Json.MAPPER.readTree(post(base + "/api/v1/swarms/l/agents/agent-3/claim", ""));
            post(base + "/api/v1/swarms/l/tasks/" + claim.get("taskId").asText() + "/complete",
                    "{\"agentId\": \"agent-3\", \"attempt\": " + claim.get("attempt").asInt() + ", \"output\": {}}");
            pinned.put("agent-3", 0);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> mesh.tasks("l", Optional.of(TaskEntity.Phase.COMPLETED), 10)
                    .toCompletableFuture().join().size() == 1);

            double hot = cluster.node(0).mesh().system().settings().config().getDouble("agent-mesh.scheduling.balancer.hot-threshold");
            double[] u = pinned.values().stream().mapToDouble(n -> Math.min(1.0, (double) n / capacity)).toArray();
            double mean = java.util.Arrays.stream(u).average().orElseThrow();
            double std = Math.sqrt(java.util.Arrays.stream(u).map(x -> (x - mean) * (x - mean)).sum() / u.length);
            List<String> hotspots = pinned.entrySet().stream().filter(e -> Math.min(1.0, (double) e.getValue() / capacity) > hot)
                    .map(Map.Entry::getKey).toList();
            assertTrue(std > 0.1 && !hotspots.isEmpty(), "the workload is skewed enough to test something");

            for (String window : List.of("all", "1m")) {
                JsonNode report = Json.MAPPER.readTree(get(base + "/api/v1/swarms/l/report?window=" + window));
                assertEquals(mean, report.at("/load/meanUtilization").asDouble(), 1e-9, window);
                assertEquals(std, report.at("/load/utilizationStdDev").asDouble(), 1e-9, window);
                assertEquals(hotspots, Json.MAPPER.convertValue(report.at("/load/hotspots"), List.class), window);
                assertEquals(window, report.at("/window/timeframe").asText());
                assertEquals(total, report.at("/throughput/submitted").asInt(), window + ": all submitted within the minute");
                assertEquals(1, report.at("/throughput/completed").asInt(), window);
                assertEquals(total - 1, report.at("/throughput/pending").asInt(), window);
                JsonNode agents = report.at("/load/agents");
                assertEquals(4, agents.size());
                for (JsonNode a : agents) {
                    String id = a.get("agentId").asText();
                    int held = pinned.get(id);
                    assertTrue(a.get("live").asBoolean(), id);
                    assertEquals(held, a.get("running").asInt() + a.get("queued").asInt(), id + " as its worker reports it");
                    assertEquals(held, a.get("holding").asLong(), id + " in the task history");
                    assertEquals(id.equals("agent-3") ? 1 : 0, a.get("completed").asLong(), id);
                    assertEquals(Math.min(1.0, (double) held / capacity), a.get("utilization").asDouble(), 1e-9, id);
                    assertEquals(hotspots.contains(id), a.get("hot").asBoolean(), id);
                }
            }
            // the workers' own accounts, asked directly, agree with the report's
            for (var l : mesh.workerLoads("l").toCompletableFuture().join()) {
                assertEquals((int) pinned.get(l.agentId()), l.running() + l.queued(), l.agentId());
            }
            JsonNode windowed = Json.MAPPER.readTree(get(base + "/api/v1/swarms/l/report?window=1m"));
            assertTrue(windowed.at("/throughput/attemptsExecuted").isNull(), "attempts carry no times: unknown for a window");
            assertTrue(windowed.at("/throughput/completedPerSecond").asDouble() > 0);
        }
    }

    @Test
    void aBadWindowIsRefusedNamingTheField() throws Exception {
        try (MeshTestCluster cluster = MeshTestCluster.start(1)) {
            cluster.node(0).mesh().createSwarm(SwarmRequest.of("w", 1)).toCompletableFuture().join();
            for (String bad : List.of("yesterday", "0m", "5x", "31d")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.node(0).httpBase()
                        + "/api/v1/swarms/w/report?window=" + bad)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, r.statusCode(), bad);
                assertEquals("window", Json.MAPPER.readTree(r.body()).get("field").asText(), r.body());
            }
        }
    }

    private String post(String url, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}

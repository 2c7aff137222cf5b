package org.agentmesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.agentmesh.http.Json;
import org.agentmesh.testkit.MeshTestCluster;
import org.agentmesh.testkit.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged node as a real process: what an acknowledged HTTP request created survives SIGKILL, and SIGTERM
 * shuts the node down cleanly. Runs after {@code package}, against {@code target/agent-mesh.jar}.
 */
class NodeProcessIT {

    private static final Path JAR = Path.of("target/agent-mesh.jar");
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode awaitActive(NodeProcess node, String swarm, int count) {
        return awaitStatus(node, swarm, Duration.ofSeconds(30), status -> status.get("active").asInt() == count);
    }

    /** The swarm's status as read through {@code node} once it satisfies {@code done} (fails after {@code timeout}). */
    private JsonNode awaitStatus(NodeProcess node, String swarm, Duration timeout, java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        try {
            MeshTestCluster.awaitUntil(timeout, () -> {
                try {
                    HttpResponse<String> r = call("GET", node.httpBase() + "/api/v1/swarms/" + swarm, null);
                    last[0] = Json.MAPPER.readTree(r.body());
                    return r.statusCode() == 200 && done.test(last[0]);
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last status of swarm " + swarm + ": " + last[0], e);
        }
        return last[0];
    }

    @Test
    void anAcknowledgedSwarmSurvivesSigkillAndSigtermIsAGracefulExit(@TempDir Path data) throws Exception {
        int port = MeshTestCluster.freePort();
        int httpPort = MeshTestCluster.freePort();
        try (NodeProcess node = new NodeProcess(JAR, port, httpPort, List.of(), data, List.of())) {
            node.start().awaitReady(Duration.ofSeconds(60));
            HttpResponse<String> created = call("POST", node.httpBase() + "/api/v1/swarms",
                    "{\"id\":\"proc\",\"maxAgents\":5,\"agentCount\":5}");
            assertEquals(201, created.statusCode(), created.body());

            node.kill(); // SIGKILL right after the acknowledgement
            assertTrue(!node.isAlive());

            // the swarm was acknowledged, so it is there; its agents may not have started before the kill, and start now
            node.start().awaitReady(Duration.ofSeconds(60));
            assertEquals(5, awaitActive(node, "proc", 5).get("agentCount").asInt());

            // now that every agent has started, a second SIGKILL makes each of them recover its persisted state
            node.kill();
            node.start().awaitReady(Duration.ofSeconds(60));
            JsonNode status = awaitActive(node, "proc", 5);
            for (JsonNode agent : status.get("agents")) {
                assertTrue(agent.get("restarts").asLong() >= 1, "agent " + agent.get("id") + " recovered from the journal");
            }

            int exit = node.terminate(Duration.ofSeconds(30));
            assertEquals(143, exit, "SIGTERM runs Pekko's coordinated shutdown, then the JVM exits as terminated");
        }
    }

    @Test
    void twoProcessesShareOneH2JournalAndFormOneCluster(@TempDir Path data) throws Exception {
        int portA = MeshTestCluster.freePort();
        int portB = MeshTestCluster.freePort();
        try (NodeProcess a = new NodeProcess(JAR, portA, MeshTestCluster.freePort(), List.of(), data, List.of());
             NodeProcess b = new NodeProcess(JAR, portB, MeshTestCluster.freePort(), List.of("127.0.0.1:" + portA), data, List.of())) {
            a.start().awaitReady(Duration.ofSeconds(60));
            b.start().awaitReady(Duration.ofSeconds(60));
            HttpResponse<String> created = call("POST", a.httpBase() + "/api/v1/swarms", "{\"id\":\"pair\",\"maxAgents\":8}");
            assertEquals(201, created.statusCode(), created.body());
            // asked through the other process: the swarm and its agents are one cluster's, on both nodes (if b's shard
            // regions registered with the coordinator only after the agents were placed, the consistent-hash
            // allocation's rebalance, every 10 s, moves b's share over to it)
            awaitActive(b, "pair", 8);
            JsonNode status = awaitStatus(b, "pair", Duration.ofSeconds(60),
                    s -> s.get("active").asInt() == 8 && s.get("agentsPerNode").size() == 2);
            assertEquals(2, status.get("agentsPerNode").size(), "8 agents spread over both processes: " + status.get("agentsPerNode"));
            assertTrue(status.get("agentsPerNode").has(a.address()) && status.get("agentsPerNode").has(b.address()));
        }
    }
}

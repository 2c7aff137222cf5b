package org.agentmesh.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.agentmesh.client.NodeClient;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * `agent-mesh mcp` as an MCP client sees it: the packaged jar started over stdio by the official SDK's client, every
 * tool listed with a schema, and tool calls checked for their real effects on an in-JVM node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private MeshTestCluster cluster;
    private McpSyncClient client;
    private NodeClient http;

    @BeforeAll
    void start() {
        cluster = MeshTestCluster.start(2);
        String base = cluster.node(0).httpBase();
        http = new NodeClient(base, "");
        ServerParameters server = ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args("-jar", Path.of("target/agent-mesh.jar").toAbsolutePath().toString(), "mcp", "--node", base)
                .build();
        client = McpClient.sync(new StdioClientTransport(server, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60)).build();
        client.initialize();
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.closeGracefully();
        }
        cluster.close();
    }

    private McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    private static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    private JsonNode ok(String tool, Map<String, Object> args) throws Exception {
        McpSchema.CallToolResult r = call(tool, args);
        assertFalse(Boolean.TRUE.equals(r.isError()), tool + " failed: " + text(r));
        String t = text(r);
        return t.startsWith("{") || t.startsWith("[") ? JSON.readTree(t) : JSON.getNodeFactory().textNode(t);
    }

    private String error(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = call(tool, args);
        assertTrue(Boolean.TRUE.equals(r.isError()), tool + " should have failed: " + text(r));
        return text(r);
    }

    @Test
    void everyToolIsListedWithASchema() {
        Set<String> names = new TreeSet<>();
        for (McpSchema.Tool t : client.listTools().tools()) {
            names.add(t.name());
            assertTrue(t.description().length() > 20, t.name());
            assertEquals("object", t.inputSchema().type(), t.name());
        }
        assertEquals(new TreeSet<>(List.of("swarm_init", "swarm_status", "swarm_monitor", "agent_list", "task_submit", "task_orchestrate",
                "task_status", "task_claim", "task_complete", "memory_usage", "daa_consensus", "daa_communication", "daa_fault_tolerance",
                "topology_optimize", "performance_report")), names);
    }

    @Test
    void topologyOptimizeReallyReplansTheAgentsLinks() throws Exception {
        ok("swarm_init", Map.of("topology", "mesh", "maxAgents", 8, "strategy", "capability", "id", "topo"));
        // every agent's gossip member is up and knows all eight
        MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
            try {
                JsonNode g = http.call("GET", "/api/v1/swarms/topo/gossip", null).body();
                if (g.get("started").asInt() != 8) {
                    return false;
                }
                for (JsonNode a : g.get("perAgent")) {
                    if (a.get("livePeers").asInt() != 8) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        // re-planned to 6-7 links: 6 each over 8 agents (a circulant +-3); the configured 3-5 gives 4 each
        JsonNode plan = ok("topology_optimize", Map.of("swarmId", "topo", "minLinks", 6, "maxLinks", 7));
        assertEquals(8, plan.get("agents").size(), plan.toString());
        // (the links held before depend on when each member last republished its entry: not asserted)
        assertTrue(plan.at("/before/links").size() > 0, plan.toString());
        assertEquals(6, plan.at("/after/minDegree").asInt(), plan.toString());
        assertEquals(6, plan.at("/after/maxDegree").asInt(), plan.toString());
        assertEquals(24, plan.at("/after/links").size(), "8 agents x 6 links / 2");
        assertTrue(plan.at("/after/twoVertexConnected").asBoolean(), plan.toString());
        assertEquals(0, plan.at("/after/asymmetricLinks").asInt(), plan.toString());
        assertTrue(plan.get("changed").asBoolean());
        // the members kept it: re-planning back to the default range starts from the 6-link graph
        JsonNode back = ok("topology_optimize", Map.of("swarmId", "topo"));
        assertEquals(6, back.at("/before/minDegree").asInt(), back.toString());
        assertEquals(4, back.at("/after/maxDegree").asInt(), back.toString());
        assertTrue(error("topology_optimize", Map.of("swarmId", "topo", "minLinks", 1)).contains("minLinks"));
        assertTrue(error("topology_optimize", Map.of("swarmId", "nope")).contains("404"));
    }

    @Test
    void swarmsTasksMessagesAndReportsDoWhatTheySay() throws Exception {
        JsonNode swarm = ok("swarm_init", Map.of("topology", "mesh", "maxAgents", 4, "strategy", "capability", "id", "mcp",
                "capabilities", List.of("code", "llm")));
        assertEquals("mcp", swarm.get("id").asText());
        assertTrue(error("swarm_init", Map.of("id", "mcp")).contains("409"), "a second swarm with the same id is an error");
        assertTrue(error("swarm_init", Map.of("topology", "torus")).contains("topology"));
        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
            try {
                return ok("swarm_status", Map.of("swarmId", "mcp")).get("active").asInt() == 4;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(4, ok("agent_list", Map.of("swarmId", "mcp")).size());

        // a task through MCP runs for real
        ok("task_submit", Map.of("swarmId", "mcp", "executor", "sleep", "id", "m1", "payload", Map.of("millis", 10)));
        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
            try {
                return ok("task_status", Map.of("swarmId", "mcp", "taskId", "m1")).get("state").asText().equals("completed");
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode batch = ok("task_orchestrate", Map.of("swarmId", "mcp", "tasks", List.of(
                Map.of("executor", "sleep", "id", "m2"), Map.of("executor", "sleep", "requiredCapabilities", List.of("flying")))));
        assertEquals("accepted", batch.at("/results/0/status").asText());
        assertEquals("refused", batch.at("/results/1/status").asText());

        // an external agent claims and completes through MCP
        ok("task_submit", Map.of("swarmId", "mcp", "executor", "external", "id", "ext", "assignTo", "agent-2"));
        JsonNode[] claim = new JsonNode[1];
        MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> {
            try {
                claim[0] = ok("task_claim", Map.of("swarmId", "mcp", "agentId", "agent-2"));
                return claim[0].has("taskId");
            } catch (Exception e) {
                return false;
            }
        });
        ok("task_complete", Map.of("swarmId", "mcp", "taskId", "ext", "agentId", "agent-2", "attempt", claim[0].get("attempt").asInt(),
                "output", Map.of("answer", 42)));
        MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> {
            try {
                return http.call("GET", "/api/v1/swarms/mcp/tasks/ext", null).body().path("output").path("answer").asInt() == 42;
            } catch (Exception e) {
                return false;
            }
        });

        // messages are delivered for real; an unknown receiver is an error
        assertTrue(error("daa_communication", Map.of("swarmId", "mcp", "from", "coordinator", "to", "nobody", "message", Map.of("type", "ping")))
                .contains("404"));
        JsonNode sent = ok("daa_communication", Map.of("swarmId", "mcp", "from", "coordinator", "to", "all",
                "message", Map.of("type", "network_init", "topology", "mesh")));
        assertEquals(4, sent.get("delivered").size());
        JsonNode inbox = http.call("GET", "/api/v1/swarms/mcp/agents/agent-3/messages", null).body();
        assertTrue(inbox.get("messages").toString().contains("network_init"), inbox.toString());

        // fault tolerance: inspect, and recovery reassigns what the agent held
        assertEquals("active", ok("daa_fault_tolerance", Map.of("swarmId", "mcp", "agentId", "agent-1", "strategy", "heartbeat_monitor"))
                .get("state").asText());
        assertTrue(ok("daa_fault_tolerance", Map.of("swarmId", "mcp", "agentId", "agent-1", "strategy", "failover_recovery")).has("reassigned"));
        error("daa_fault_tolerance", Map.of("swarmId", "mcp", "agentId", "agent-1", "strategy", "pray"));

        // measured reports
        assertTrue(ok("performance_report", Map.of("swarmId", "mcp", "format", "summary")).asText().contains("agents reachable"));
        assertTrue(ok("performance_report", Map.of("swarmId", "mcp", "format", "json")).at("/throughput/completed").asInt() >= 2);
        JsonNode lastHour = ok("performance_report", Map.of("swarmId", "mcp", "format", "json", "timeframe", "1h"));
        assertEquals("1h", lastHour.at("/window/timeframe").asText());
        assertTrue(lastHour.at("/throughput/completed").asInt() >= 2, "the tasks above completed within the last hour");
        assertTrue(lastHour.at("/throughput/attemptsExecuted").isNull(), "attempts carry no times: not measured for a window");
        assertTrue(ok("performance_report", Map.of("swarmId", "mcp", "timeframe", "5m")).asText().contains("history: 5m"));
        assertTrue(error("performance_report", Map.of("swarmId", "mcp", "timeframe", "yesterday")).contains("timeframe must be 'all'"));
        JsonNode monitor = ok("swarm_monitor", Map.of("swarmId", "mcp", "metrics", "network"));
        assertEquals(1.0, monitor.at("/network/connectivity").asDouble());
        assertFalse(monitor.has("throughput"));

        // shared memory: stored through MCP on node 0, read back over HTTP from node 1 (linearizable)
        JsonNode stored = ok("memory_usage", Map.of("swarmId", "mcp", "action", "store", "namespace", "mesh", "key", "network:t1",
                "value", Map.of("initialized", true)));
        assertTrue(stored.get("version").asLong() > 0);
        NodeClient other = new NodeClient(cluster.node(1).httpBase(), "");
        JsonNode read = other.call("GET", "/api/v1/swarms/mcp/memory/mesh/network:t1", null).body();
        assertTrue(read.get("value").get("initialized").asBoolean(), read.toString());
        assertEquals(stored.get("version").asLong(), read.get("version").asLong());
        assertTrue(ok("memory_usage", Map.of("swarmId", "mcp", "action", "retrieve", "namespace", "mesh", "key", "network:t1"))
                .toString().contains("initialized"));
        assertTrue(ok("memory_usage", Map.of("swarmId", "mcp", "action", "list", "namespace", "mesh")).toString().contains("network:t1"));
        assertTrue(ok("memory_usage", Map.of("swarmId", "mcp", "action", "search", "pattern", "network:*")).toString().contains("network:t1"));
        ok("memory_usage", Map.of("swarmId", "mcp", "action", "delete", "namespace", "mesh", "key", "network:t1"));
        assertEquals(404, other.call("GET", "/api/v1/swarms/mcp/memory/mesh/network:t1", null).status());
        assertTrue(error("memory_usage", Map.of("swarmId", "mcp", "action", "retrieve", "namespace", "mesh", "key", "network:t1")).contains("404"));
        error("memory_usage", Map.of("swarmId", "mcp", "action", "juggle"));

        // a decision by the agents: proposed through MCP, approved by their own (pBFT-ordered, Ed25519-signed) votes
        JsonNode proposed = ok("daa_consensus", Map.of("swarmId", "mcp", "action", "propose", "proposal",
                Map.of("task_assignment", "auth-service", "assigned_to", "agent-3", "required_capabilities", List.of("code"))));
        String pid = proposed.get("proposalId").asText();
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                return ok("daa_consensus", Map.of("swarmId", "mcp", "action", "status", "proposalId", pid)).get("status").asText()
                        .equals("approved");
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(error("daa_consensus", Map.of("swarmId", "mcp", "action", "vote", "proposalId", pid, "agentId", "agent-1",
                "vote", "approve")).contains("409"), "the agents already decided it");
        error("daa_consensus", Map.of("swarmId", "mcp", "action", "status", "proposalId", "p-unknown"));
        JsonNode consensusReport = ok("performance_report", Map.of("swarmId", "mcp", "format", "json")).get("consensus");
        assertEquals(1, consensusReport.get("byzantineTolerance").asInt(), "4 agents tolerate one liar");
        assertTrue(consensusReport.get("decisionLatencyMillis").asDouble() >= 0);

        assertTrue(error("swarm_status", Map.of()).contains("missing required argument 'swarmId'"));
        assertTrue(error("swarm_status", Map.of("swarmId", "ghost")).contains("404"));
    }
}

package org.agentmesh.http;

import static org.agentmesh.http.HttpTestClient.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.agentmesh.http.HttpTestClient.Reply;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP contract of the foundation, against a real one-node mesh over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {

    private MeshTestCluster cluster;
    private String base;
    private HttpTestClient client;

    @BeforeAll
    void start() {
        cluster = MeshTestCluster.start(1);
        base = cluster.node(0).httpBase();
        client = new HttpTestClient(cluster.node(0).httpBase());
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void healthEndpoints() throws Exception {
        assertEquals(200, client.send("GET", "/health/live", null).status());
        Reply ready = client.send("GET", "/health/ready", null);
        assertEquals(200, ready.status());
        assertEquals("ready", ready.body().get("status").asText());
    }

    @Test
    void createStatusAndShutDownASwarm() throws Exception {
        Reply created = client.send("POST", "/api/v1/swarms",
                "{\"id\":\"http-life\",\"topology\":\"mesh\",\"maxAgents\":6,\"strategy\":\"auction\",\"agentCount\":5,"
                        + "\"capabilities\":[\"code\",\"test\"]}");
        assertEquals(201, created.status(), () -> "body: " + created.body());
        assertEquals("http-life", created.body().get("id").asText());
        assertEquals(5, created.body().get("agents").size());

        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
            try {
                return client.send("GET", "/api/v1/swarms/http-life", null).body().get("active").asInt() == 5;
            } catch (Exception e) {
                return false;
            }
        });
        Reply status = client.send("GET", "/api/v1/swarms/http-life", null);
        assertEquals(200, status.status());
        JsonNode s = status.body();
        assertEquals("mesh", s.get("topology").asText());
        assertEquals("auction", s.get("strategy").asText());
        assertEquals(6, s.get("maxAgents").asInt());
        // the counts agree with each other and with the agent list
        assertEquals(5, s.get("agentCount").asInt());
        assertEquals(s.get("agents").size(), s.get("agentCount").asInt());
        int perNode = 0;
        for (JsonNode n : s.get("agentsPerNode")) {
            perNode += n.asInt();
        }
        assertEquals(s.get("active").asInt(), perNode);
        for (JsonNode a : s.get("agents")) {
            assertEquals("active", a.get("state").asText());
            assertEquals(cluster.address(0), a.get("node").asText());
            assertEquals(0.0, a.get("load").asDouble());
        }

        assertProblem(client.send("POST", "/api/v1/swarms", "{\"id\":\"http-life\"}"), 409, "id");
        assertTrue(client.send("GET", "/api/v1/swarms", null).body().get("swarms").toString().contains("\"http-life\""));

        Reply shutdown = client.send("DELETE", "/api/v1/swarms/http-life", null);
        assertEquals(200, shutdown.status(), () -> "body: " + shutdown.body());
        assertEquals(5, shutdown.body().get("retired").size());
        assertEquals(0, shutdown.body().get("unconfirmed").size());
        // gone: a second shutdown is not a success, and status is 404
        assertProblem(client.send("DELETE", "/api/v1/swarms/http-life", null), 404, "swarmId");
        assertProblem(client.send("GET", "/api/v1/swarms/http-life", null), 404, "swarmId");
        assertTrue(!client.send("GET", "/api/v1/swarms", null).body().get("swarms").toString().contains("\"http-life\""));
    }

    @Test
    void gossipMetricsOfASwarm() throws Exception {
        assertEquals(201, client.send("POST", "/api/v1/swarms", "{\"id\":\"http-gossip\",\"agentCount\":4}").status());
        // every member started, knows the other three, and has gossiped for a few rounds (the rate needs two)
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                JsonNode g = client.send("GET", "/api/v1/swarms/http-gossip/gossip", null).body();
                boolean all = g.get("started").asInt() == 4;
                for (JsonNode a : g.get("perAgent")) {
                    all &= a.get("livePeers").asInt() == 4 && a.get("rounds").asInt() >= 3;
                }
                return all;
            } catch (Exception e) {
                return false;
            }
        });
        Reply r = client.send("GET", "/api/v1/swarms/http-gossip/gossip", null);
        assertEquals(200, r.status());
        JsonNode g = r.body();
        assertEquals("http-gossip", g.get("swarmId").asText());
        assertEquals(4, g.get("agents").asInt());
        assertEquals(4, g.get("perAgent").size());
        assertTrue(g.get("messagesPerSecond").asDouble() > 0, () -> "body: " + g);
        assertTrue(g.get("connectivity").asDouble() > 0.5, () -> "body: " + g);
        assertTrue(g.has("millisSinceViewChange") && g.has("meanLoad") && g.has("liveAgents") && g.has("estimateReady"));
        assertProblem(client.send("GET", "/api/v1/swarms/no-such-swarm/gossip", null), 404, "swarmId");
        assertEquals(200, client.send("DELETE", "/api/v1/swarms/http-gossip", null).status());
    }

    @Test
    void badInputIsRefusedWithAProblemNamingTheField() throws Exception {
        assertProblem(client.send("POST", "/api/v1/swarms", "{not json"), 400, "body");
        assertProblem(client.send("POST", "/api/v1/swarms", ""), 400, "body");
        assertProblem(client.send("POST", "/api/v1/swarms", "[1,2]"), 400, "body");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"topology\":\"torus\"}"), 400, "topology");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"maxAgents\":0}"), 400, "maxAgents");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"maxAgents\":1001}"), 400, "maxAgents");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"maxAgents\":\"twelve\"}"), 400, "maxAgents");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"maxAgents\":2.5}"), 400, "maxAgents");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"strategy\":\"psychic\"}"), 400, "strategy");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"colour\":\"blue\"}"), 400, "colour");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"id\":\"bad id!\"}"), 400, "id");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"maxAgents\":2,\"agentCount\":3}"), 400, "agentCount");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"agents\":[{\"id\":\"a\"},{\"id\":\"a\"}]}"), 400, "agents[1].id");
        assertProblem(client.send("POST", "/api/v1/swarms", "{\"agents\":[{\"capacity\":0}]}"), 400, "agents[0].capacity");
        assertProblem(client.send("GET", "/api/v1/swarms/no-such-swarm", null), 404, "swarmId");
        assertProblem(client.send("DELETE", "/api/v1/swarms/no-such-swarm", null), 404, "swarmId");
        assertProblem(client.send("GET", "/api/v1/swarms/bad%20id", null), 400, "swarmId");
        assertProblem(client.send("GET", "/api/v1/nothing-here", null), 404, null);
        assertProblem(client.send("PUT", "/api/v1/swarms", "{}"), 405, null);
        // nothing above created a swarm
        assertProblem(client.send("GET", "/api/v1/swarms/agent-1", null), 404, "swarmId");
    }
}

package org.agentmesh.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        cluster = MeshTestCluster.start(1);
        base = cluster.node(0).httpBase();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    record Reply(int status, String contentType, JsonNode body) {}

    private Reply send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json);
    }

    private void assertProblem(Reply r, int status, String field) {
        assertEquals(status, r.status(), () -> "body: " + r.body());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertEquals(status, r.body().get("status").asInt());
        assertTrue(r.body().get("detail").asText().length() > 0);
        if (field != null) {
            assertEquals(field, r.body().path("field").asText(), () -> "body: " + r.body());
        }
    }

    @Test
    void healthEndpoints() throws Exception {
        assertEquals(200, send("GET", "/health/live", null).status());
        Reply ready = send("GET", "/health/ready", null);
        assertEquals(200, ready.status());
        assertEquals("ready", ready.body().get("status").asText());
    }

    @Test
    void createStatusAndShutDownASwarm() throws Exception {
        Reply created = send("POST", "/api/v1/swarms",
                "{\"id\":\"http-life\",\"topology\":\"mesh\",\"maxAgents\":6,\"strategy\":\"auction\",\"agentCount\":5,"
                        + "\"capabilities\":[\"code\",\"test\"]}");
        assertEquals(201, created.status(), () -> "body: " + created.body());
        assertEquals("http-life", created.body().get("id").asText());
        assertEquals(5, created.body().get("agents").size());

        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
            try {
                return send("GET", "/api/v1/swarms/http-life", null).body().get("active").asInt() == 5;
            } catch (Exception e) {
                return false;
            }
        });
        Reply status = send("GET", "/api/v1/swarms/http-life", null);
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

        assertProblem(send("POST", "/api/v1/swarms", "{\"id\":\"http-life\"}"), 409, "id");
        assertTrue(send("GET", "/api/v1/swarms", null).body().get("swarms").toString().contains("\"http-life\""));

        Reply shutdown = send("DELETE", "/api/v1/swarms/http-life", null);
        assertEquals(200, shutdown.status(), () -> "body: " + shutdown.body());
        assertEquals(5, shutdown.body().get("retired").size());
        assertEquals(0, shutdown.body().get("unconfirmed").size());
        // gone: a second shutdown is not a success, and status is 404
        assertProblem(send("DELETE", "/api/v1/swarms/http-life", null), 404, "swarmId");
        assertProblem(send("GET", "/api/v1/swarms/http-life", null), 404, "swarmId");
        assertTrue(!send("GET", "/api/v1/swarms", null).body().get("swarms").toString().contains("\"http-life\""));
    }

    @Test
    void gossipMetricsOfASwarm() throws Exception {
        assertEquals(201, send("POST", "/api/v1/swarms", "{\"id\":\"http-gossip\",\"agentCount\":4}").status());
        // every member started, knows the other three, and has gossiped for a few rounds (the rate needs two)
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                JsonNode g = send("GET", "/api/v1/swarms/http-gossip/gossip", null).body();
                boolean all = g.get("started").asInt() == 4;
                for (JsonNode a : g.get("perAgent")) {
                    all &= a.get("livePeers").asInt() == 4 && a.get("rounds").asInt() >= 3;
                }
                return all;
            } catch (Exception e) {
                return false;
            }
        });
        Reply r = send("GET", "/api/v1/swarms/http-gossip/gossip", null);
        assertEquals(200, r.status());
        JsonNode g = r.body();
        assertEquals("http-gossip", g.get("swarmId").asText());
        assertEquals(4, g.get("agents").asInt());
        assertEquals(4, g.get("perAgent").size());
        assertTrue(g.get("messagesPerSecond").asDouble() > 0, () -> "body: " + g);
        assertTrue(g.get("connectivity").asDouble() > 0.5, () -> "body: " + g);
        assertTrue(g.has("millisSinceViewChange") && g.has("meanLoad") && g.has("liveAgents") && g.has("estimateReady"));
        assertProblem(send("GET", "/api/v1/swarms/no-such-swarm/gossip", null), 404, "swarmId");
        assertEquals(200, send("DELETE", "/api/v1/swarms/http-gossip", null).status());
    }

    @Test
    void badInputIsRefusedWithAProblemNamingTheField() throws Exception {
        assertProblem(send("POST", "/api/v1/swarms", "{not json"), 400, "body");
        assertProblem(send("POST", "/api/v1/swarms", ""), 400, "body");
        assertProblem(send("POST", "/api/v1/swarms", "[1,2]"), 400, "body");
        assertProblem(send("POST", "/api/v1/swarms", "{\"topology\":\"torus\"}"), 400, "topology");
        assertProblem(send("POST", "/api/v1/swarms", "{\"maxAgents\":0}"), 400, "maxAgents");
        assertProblem(send("POST", "/api/v1/swarms", "{\"maxAgents\":1001}"), 400, "maxAgents");
        assertProblem(send("POST", "/api/v1/swarms", "{\"maxAgents\":\"twelve\"}"), 400, "maxAgents");
        assertProblem(send("POST", "/api/v1/swarms", "{\"maxAgents\":2.5}"), 400, "maxAgents");
        assertProblem(send("POST", "/api/v1/swarms", "{\"strategy\":\"psychic\"}"), 400, "strategy");
        assertProblem(send("POST", "/api/v1/swarms", "{\"colour\":\"blue\"}"), 400, "colour");
        assertProblem(send("POST", "/api/v1/swarms", "{\"id\":\"bad id!\"}"), 400, "id");
        assertProblem(send("POST", "/api/v1/swarms", "{\"maxAgents\":2,\"agentCount\":3}"), 400, "agentCount");
        assertProblem(send("POST", "/api/v1/swarms", "{\"agents\":[{\"id\":\"a\"},{\"id\":\"a\"}]}"), 400, "agents[1].id");
        assertProblem(send("POST", "/api/v1/swarms", "{\"agents\":[{\"capacity\":0}]}"), 400, "agents[0].capacity");
        assertProblem(send("GET", "/api/v1/swarms/no-such-swarm", null), 404, "swarmId");
        assertProblem(send("DELETE", "/api/v1/swarms/no-such-swarm", null), 404, "swarmId");
        assertProblem(send("GET", "/api/v1/swarms/bad%20id", null), 400, "swarmId");
        assertProblem(send("GET", "/api/v1/nothing-here", null), 404, null);
        assertProblem(send("PUT", "/api/v1/swarms", "{}"), 405, null);
        // nothing above created a swarm
        assertProblem(send("GET", "/api/v1/swarms/agent-1", null), 404, "swarmId");
    }
}

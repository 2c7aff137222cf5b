package org.agentmesh.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.agentmesh.gossip.GossipMember;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gossip endpoints over real HTTP on a one-node mesh: a capability change by PUT reaches every agent's gossip
 * view, {@code POST .../topology/optimize} re-plans the links the members really hold, bad input is refused with a
 * problem naming the field, and gossip gauges appear in /metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GossipHttpTest {

    private static final int AGENTS = 10;
    private MeshTestCluster cluster;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        cluster = MeshTestCluster.start(1, Map.of("agent-mesh.gossip.interval", "300ms"));
        base = cluster.node(0).httpBase();
        Reply created = send("POST", "/api/v1/swarms", "{\"id\":\"gh\",\"topology\":\"mesh\",\"maxAgents\":" + AGENTS + "}");
        assertEquals(201, created.status(), () -> "body: " + created.body());
        MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
            var views = cluster.node(0).mesh().gossipViews().local("gh");
            return views.size() == AGENTS && views.stream().allMatch(v -> v.stats().livePeers() == AGENTS);
        });
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    record Reply(int status, JsonNode body) {}

    private Reply send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String text = r.body();
        return new Reply(r.statusCode(), text.isEmpty() || !(text.startsWith("{") || text.startsWith("["))
                ? null : Json.MAPPER.readTree(text));
    }

    private static void assertProblem(Reply r, int status, String field) {
        assertEquals(status, r.status(), () -> "body: " + r.body());
        if (field != null) {
            assertEquals(field, r.body().path("field").asText(), () -> "body: " + r.body());
        }
    }

    @Test
    void capabilityChangeByHttpReachesEveryGossipView() throws Exception {
        Reply r = send("PUT", "/api/v1/swarms/gh/agents/agent-3/capabilities", "{\"capabilities\":[\"gpu\",\"vision\"]}");
        assertEquals(200, r.status(), () -> "body: " + r.body());
        Set<String> wanted = new TreeSet<>(Set.of("gpu", "vision"));
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> cluster.node(0).mesh().gossipViews().local("gh").stream()
                .allMatch(v -> v.peers().stream().anyMatch(p -> p.peerId().equals("agent-3") && p.capabilities().equals(wanted))));
        assertProblem(send("PUT", "/api/v1/swarms/gh/agents/agent-3/capabilities", "{\"capabilities\":[\"no spaces!\"]}"),
                400, "capabilities[0]");
        assertProblem(send("PUT", "/api/v1/swarms/gh/agents/agent-3/capabilities", "{}"), 400, "capabilities");
        assertProblem(send("PUT", "/api/v1/swarms/gh/agents/agent-99/capabilities", "{\"capabilities\":[]}"), 400, "agentId");
    }

    @Test
    void optimizeReplansTheLinksTheMembersHold() throws Exception {
        // 10 agents, configured 3-5 links: 4 each; re-planned to exactly 6 each
        Reply r = send("POST", "/api/v1/swarms/gh/topology/optimize", "{\"minLinks\":6,\"maxLinks\":6}");
        assertEquals(200, r.status(), () -> "body: " + r.body());
        JsonNode plan = r.body();
        assertEquals(AGENTS, plan.get("agents").size());
        assertTrue(plan.at("/before/links").size() > 0, plan::toString);
        assertEquals(6, plan.at("/after/minDegree").asInt(), plan::toString);
        assertEquals(6, plan.at("/after/maxDegree").asInt(), plan::toString);
        assertEquals(AGENTS * 6 / 2, plan.at("/after/links").size());
        assertTrue(plan.at("/after/twoVertexConnected").asBoolean());
        assertEquals(0, plan.at("/after/danglingLinks").asInt());
        assertTrue(plan.get("changed").asBoolean());
        // the members hold the new links (their own entries in their own views), and gossip keeps them symmetric
        for (GossipMember.View v : cluster.node(0).mesh().gossipViews().local("gh")) {
            assertEquals(6, v.peers().stream().filter(p -> p.peerId().equals(v.agentId())).findFirst().orElseThrow()
                    .links().size(), v.agentId());
        }
        // back to the configured range (empty body)
        Reply back = send("POST", "/api/v1/swarms/gh/topology/optimize", null);
        assertEquals(200, back.status(), () -> "body: " + back.body());
        assertEquals(6, back.body().at("/before/minDegree").asInt());
        assertEquals(4, back.body().at("/after/maxDegree").asInt());

        assertProblem(send("POST", "/api/v1/swarms/gh/topology/optimize", "{\"minLinks\":1}"), 400, "minLinks");
        assertProblem(send("POST", "/api/v1/swarms/gh/topology/optimize", "{\"minLinks\":5,\"maxLinks\":4}"), 400, "maxLinks");
        assertProblem(send("POST", "/api/v1/swarms/gh/topology/optimize", "{\"minLinks\":5,\"maxLinks\":5}"), 400, "maxLinks");
        assertEquals(404, send("POST", "/api/v1/swarms/nope/topology/optimize", null).status());
    }

    @Test
    void gossipGaugesAreInTheMetrics() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        String text = r.body();
        for (String name : new String[] {"agent_mesh_gossip_connectivity", "agent_mesh_gossip_messages_per_second",
                "agent_mesh_gossip_live_peers", "agent_mesh_gossip_seconds_since_view_change", "agent_mesh_gossip_convergence_seconds"}) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith(name + "{") && l.contains("swarm=\"gh\"")), name + " missing");
        }
        // after a re-plan (another test) links are new: wait until they have been heard from
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> connectivity(scrape()) > 0.9);
    }

    private String scrape() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static double connectivity(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("agent_mesh_gossip_connectivity{") && l.contains("swarm=\"gh\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }
}

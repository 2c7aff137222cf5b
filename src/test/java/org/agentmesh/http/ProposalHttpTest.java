package org.agentmesh.http;

import static org.agentmesh.http.HttpTestClient.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.agentmesh.http.HttpTestClient.Reply;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The proposals API over real HTTP: propose, vote on an agent's behalf, read, consensus metrics, and bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProposalHttpTest {

    private MeshTestCluster cluster;
    private String api;
    private HttpTestClient client;

    @BeforeAll
    void start() throws Exception {
        cluster = MeshTestCluster.start(1, Map.of());
        api = cluster.node(0).httpBase() + "/api/v1/swarms/";
        client = new HttpTestClient(cluster.node(0).httpBase());
        String swarms = api.substring(0, api.length() - 1);
        assertEquals(201, client.send("POST", swarms, "{\"id\":\"h\",\"agents\":[{\"id\":\"a1\",\"capabilities\":[\"code\"]},"
                + "{\"id\":\"a2\",\"capabilities\":[\"code\"]},{\"id\":\"a3\",\"capabilities\":[\"docs\"]},"
                + "{\"id\":\"a4\",\"capabilities\":[\"code\"]}]}").status());
        assertEquals(201, client.send("POST", swarms, "{\"id\":\"tiny\",\"agents\":[{\"id\":\"x\"},{\"id\":\"y\"}]}").status());
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private JsonNode awaitStatus(String proposalId, String status) {
        JsonNode[] last = new JsonNode[1];
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                last[0] = client.send("GET", api + "h/proposals/" + proposalId, null).body();
                return status.equals(last[0].path("status").asText());
            } catch (Exception e) {
                return false;
            }
        });
        return last[0];
    }

    @Test
    void aTaskAssignmentIsDecidedByTheAgentsOwnVotes() throws Exception {
        Reply created = client.send("POST", api + "h/proposals",
                "{\"proposal\":{\"task_assignment\":\"build\",\"assigned_to\":\"a2\",\"required_capabilities\":[\"code\"]}}");
        assertEquals(201, created.status(), () -> String.valueOf(created.body()));
        String id = created.body().path("proposalId").asText();
        assertTrue(id.startsWith("p-"), id);
        assertEquals("/api/v1/swarms/h/proposals/" + id, created.header("Location").orElse(""));
        assertEquals(0.67, created.body().path("threshold").asDouble(), 1e-9);

        JsonNode approved = awaitStatus(id, "approved");
        assertEquals(4, approved.path("tally").path("eligible").asInt());
        // decided at the third approval (0.67 of 4 needs 3); the fourth vote comes after the decision and is refused
        assertEquals(3, approved.path("tally").path("approve").asInt(), approved::toString);
        assertEquals(0.75, approved.path("tally").path("participation").asDouble(), 1e-9);

        // the list of recent proposals (the dashboard's) has it, with the same status as a read of the proposal
        Reply recent = client.send("GET", api + "h/proposals?limit=100", null);
        assertEquals(200, recent.status(), () -> String.valueOf(recent.body()));
        JsonNode listed = null;
        for (JsonNode p : recent.body().path("proposals")) {
            if (p.path("proposalId").asText().equals(id)) {
                listed = p;
            }
        }
        assertEquals(approved, listed, recent.body()::toString);
        assertEquals(1, client.send("GET", api + "h/proposals?limit=1", null).body().path("proposals").size());

        Reply metrics = client.send("GET", api + "h/consensus", null);
        assertEquals(200, metrics.status(), () -> String.valueOf(metrics.body()));
        assertEquals(4, metrics.body().path("n").asInt());
        assertEquals(1, metrics.body().path("f").asInt());
        assertTrue(metrics.body().path("decisions").asLong() >= 1, metrics.body()::toString);
        assertTrue(metrics.body().path("decisionLatencyMillis").path("count").asInt() >= 1, metrics.body()::toString);
        assertTrue(metrics.body().path("voteParticipation").asDouble() > 0, metrics.body()::toString);
    }

    @Test
    void externalVotesOnAnAgentsBehalfDecideAndASecondVoteConflicts() throws Exception {
        Reply created = client.send("POST", api + "h/proposals",
                "{\"id\":\"release\",\"proposal\":{\"release\":\"1.0\",\"autoVote\":false},\"threshold\":0.5,\"deadlineSeconds\":120}");
        assertEquals(201, created.status(), () -> String.valueOf(created.body()));
        assertEquals("open", created.body().path("status").asText());

        Reply first = client.send("POST", api + "h/proposals/release/votes", "{\"agentId\":\"a1\",\"choice\":\"approve\"}");
        assertEquals(200, first.status(), () -> String.valueOf(first.body()));
        assertEquals(1, first.body().path("tally").path("approve").asInt());
        assertEquals("open", first.body().path("status").asText());

        assertProblem(client.send("POST", api + "h/proposals/release/votes", "{\"agentId\":\"a1\",\"choice\":\"reject\"}"), 409, "agentId");
        assertProblem(client.send("POST", api + "h/proposals/release/votes",
                "{\"agentId\":\"a2\",\"choice\":\"approve\",\"signature\":\"AAAA\"}"), 403, "signature");

        Reply second = client.send("POST", api + "h/proposals/release/votes", "{\"agentId\":\"a3\",\"choice\":\"approve\"}");
        assertEquals(200, second.status(), () -> String.valueOf(second.body()));
        assertEquals("approved", second.body().path("status").asText(), second.body()::toString);
        assertEquals("approved", awaitStatus("release", "approved").path("status").asText());
        assertProblem(client.send("POST", api + "h/proposals/release/votes", "{\"agentId\":\"a4\",\"choice\":\"reject\"}"), 409, "agentId");
    }

    @Test
    void badInputIsRefusedNamingTheField() throws Exception {
        String proposals = api + "h/proposals";
        assertProblem(client.send("POST", proposals, "{\"proposal\":[1,2]}"), 400, "proposal");
        assertProblem(client.send("POST", proposals, "{\"nothing\":1}"), 400, "proposal");
        assertProblem(client.send("POST", proposals, "{\"proposal\":{\"a\":1},\"threshold\":1.5}"), 400, "threshold");
        assertProblem(client.send("POST", proposals, "{\"proposal\":{\"a\":1},\"deadlineSeconds\":-1}"), 400, "deadlineSeconds");
        assertProblem(client.send("POST", proposals, "{\"proposal\":{\"a\":1},\"proposer\":\"nobody\"}"), 400, "proposer");
        assertEquals(400, client.send("POST", proposals, "{not json").status());
        assertProblem(client.send("POST", api + "tiny/proposals", "{\"proposal\":{\"a\":1}}"), 409, "agents");
        assertProblem(client.send("GET", api + "tiny/proposals", null), 409, "agents");
        assertProblem(client.send("GET", proposals + "?limit=0", null), 400, "limit");
        assertProblem(client.send("GET", proposals + "?limit=many", null), 400, "limit");
        assertProblem(client.send("GET", proposals + "?limit=101", null), 400, "limit");
        assertProblem(client.send("POST", api + "nope/proposals", "{\"proposal\":{\"a\":1}}"), 404, "swarmId");

        assertEquals(201, client.send("POST", proposals, "{\"id\":\"q\",\"proposal\":{\"q\":1,\"autoVote\":false}}").status());
        assertProblem(client.send("POST", proposals, "{\"id\":\"q\",\"proposal\":{\"q\":1}}"), 409, "id");
        String votes = api + "h/proposals/q/votes";
        assertProblem(client.send("POST", votes, "{\"choice\":\"approve\"}"), 400, "agentId");
        assertProblem(client.send("POST", votes, "{\"agentId\":\"a1\"}"), 400, "choice");
        assertProblem(client.send("POST", votes, "{\"agentId\":\"a1\",\"choice\":\"maybe\"}"), 400, "choice");
        assertProblem(client.send("POST", votes, "{\"agentId\":\"ghost\",\"choice\":\"approve\"}"), 400, "agentId");
        assertProblem(client.send("POST", api + "h/proposals/unknown/votes", "{\"agentId\":\"a1\",\"choice\":\"approve\"}"), 404, "proposalId");
        assertProblem(client.send("GET", api + "h/proposals/unknown", null), 404, "proposalId");
    }
}

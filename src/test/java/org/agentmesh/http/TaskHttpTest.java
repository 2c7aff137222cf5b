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

/** The task API over real HTTP: submit, read, list, cancel, batch, bad input, and an external agent's claim/complete. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskHttpTest {

    private MeshTestCluster cluster;
    private String api;
    private HttpTestClient client;

    @BeforeAll
    void start() throws Exception {
        cluster = MeshTestCluster.start(1, Map.of("agent-mesh.tasks.shell-enabled", "on"));
        api = cluster.node(0).httpBase() + "/api/v1/swarms/";
        client = new HttpTestClient(cluster.node(0).httpBase());
        client.send("POST", api.substring(0, api.length() - 1), "{\"id\":\"t\",\"agents\":[{\"id\":\"coder\",\"capabilities\":[\"code\",\"test\"],\"capacity\":2},"
                + "{\"id\":\"writer\",\"capabilities\":[\"docs\"],\"capacity\":2},{\"id\":\"ext\",\"capabilities\":[\"llm\"],\"capacity\":1}]}");
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private JsonNode awaitState(String taskId, String state) {
        JsonNode[] last = new JsonNode[1];
        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
            try {
                last[0] = client.send("GET", api + "t/tasks/" + taskId, null).body();
                return state.equals(last[0].path("state").asText());
            } catch (Exception e) {
                return false;
            }
        });
        return last[0];
    }

    @Test
    void aShellTaskRunsOnACapableAgentAndItsResultIsKept() throws Exception {
        Reply created = client.send("POST", api + "t/tasks", "{\"id\":\"echo\",\"executor\":\"shell\",\"requiredCapabilities\":[\"code\"],"
                + "\"payload\":{\"command\":\"echo hello from $0\"}}");
        assertEquals(201, created.status(), () -> String.valueOf(created.body()));
        JsonNode done = awaitState("echo", "completed");
        assertEquals("coder", done.get("agent").asText());
        assertEquals(0, done.get("output").get("exitCode").asInt());
        assertTrue(done.get("output").get("output").asText().startsWith("hello from"));
        assertEquals(1, done.get("executions").asInt());
        // resubmitting the same task is idempotent; the same id with another spec is a conflict
        assertEquals(201, client.send("POST", api + "t/tasks", "{\"id\":\"echo\",\"executor\":\"shell\",\"requiredCapabilities\":[\"code\"],"
                + "\"payload\":{\"command\":\"echo hello from $0\"}}").status());
        assertProblem(client.send("POST", api + "t/tasks", "{\"id\":\"echo\",\"executor\":\"sleep\"}"), 409, "id");
        // finished tasks cannot be cancelled
        assertProblem(client.send("DELETE", api + "t/tasks/echo", null), 400, "taskId");
    }

    @Test
    void anHttpTaskPostsItsPayloadForReal() throws Exception {
        // the http executor POSTs payload.body to payload.url: here the node's own message endpoint, so the effect is visible
        String url = cluster.node(0).httpBase() + "/api/v1/swarms/t/messages";
        Reply created = client.send("POST", api + "t/tasks", "{\"id\":\"call\",\"executor\":\"http\",\"payload\":{\"url\":\"" + url
                + "\",\"body\":{\"from\":\"http-task\",\"to\":\"writer\",\"message\":{\"note\":\"posted by a task\"}}}}");
        assertEquals(201, created.status(), () -> String.valueOf(created.body()));
        JsonNode done = awaitState("call", "completed");
        assertEquals(200, done.get("output").get("status").asInt());
        JsonNode inbox = client.send("GET", api + "t/agents/writer/messages", null).body();
        assertTrue(inbox.get("messages").toString().contains("posted by a task"), inbox.toString());
        // a refused POST (404: no such swarm) is a failed attempt, retried, then failed for good
        client.send("POST", api + "t/tasks", "{\"id\":\"call-404\",\"executor\":\"http\",\"maxRetries\":0,\"payload\":{\"url\":\""
                + cluster.node(0).httpBase() + "/api/v1/swarms/none/messages\",\"body\":{\"from\":\"a\",\"to\":\"b\",\"message\":1}}}");
        assertEquals("HTTP 404", awaitState("call-404", "failed").get("error").asText());
    }

    @Test
    void aFailingCommandIsRetriedThenFails() throws Exception {
        assertEquals(201, client.send("POST", api + "t/tasks", "{\"id\":\"bad-cmd\",\"executor\":\"shell\",\"maxRetries\":1,"
                + "\"payload\":{\"command\":[\"sh\",\"-c\",\"exit 3\"]}}").status());
        JsonNode failed = awaitState("bad-cmd", "failed");
        assertEquals(2, failed.get("executions").asInt(), "one try and one retry");
        assertEquals("exit code 3", failed.get("error").asText());
    }

    @Test
    void anExternalAgentClaimsHeartbeatsAndCompletes() throws Exception {
        assertEquals(201, client.send("POST", api + "t/tasks", "{\"id\":\"ask-llm\",\"executor\":\"external\",\"requiredCapabilities\":[\"llm\"],"
                + "\"payload\":{\"prompt\":\"summarize\"}}").status());
        JsonNode[] claim = new JsonNode[1];
        MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> {
            try {
                Reply r = client.send("POST", api + "t/agents/ext/claim", null);
                claim[0] = r.body();
                return r.status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals("ask-llm", claim[0].get("taskId").asText());
        int attempt = claim[0].get("attempt").asInt();
        assertEquals(204, client.send("POST", api + "t/agents/ext/claim", null).status(), "nothing else to claim");
        assertEquals(200, client.send("POST", api + "t/tasks/ask-llm/heartbeat", "{\"agentId\":\"ext\",\"attempt\":" + attempt + ",\"progress\":0.5}").status());
        assertEquals(0.5, awaitState("ask-llm", "running").get("progress").asDouble());
        assertProblem(client.send("POST", api + "t/tasks/ask-llm/complete", "{\"agentId\":\"ext\",\"attempt\":" + (attempt + 7) + "}"), 409, "attempt");
        assertEquals(200, client.send("POST", api + "t/tasks/ask-llm/complete", "{\"agentId\":\"ext\",\"attempt\":" + attempt
                + ",\"output\":{\"summary\":\"short\"}}").status());
        JsonNode done = awaitState("ask-llm", "completed");
        assertEquals("short", done.get("output").get("summary").asText());
        // a late second completion of the same attempt is not a second result
        assertProblem(client.send("POST", api + "t/tasks/ask-llm/complete", "{\"agentId\":\"ext\",\"attempt\":" + attempt + "}"), 409, "attempt");
    }

    @Test
    void batchesListsAndCancellation() throws Exception {
        Reply batch = client.send("POST", api + "t/tasks", "{\"tasks\":[{\"id\":\"b1\",\"executor\":\"sleep\",\"payload\":{\"millis\":10}},"
                + "{\"id\":\"b2\",\"executor\":\"sleep\",\"requiredCapabilities\":[\"flying\"]},{\"id\":\"b3\",\"executor\":\"teleport\"},"
                + "{\"id\":\"b4\",\"executor\":\"sleep\",\"payload\":{\"millis\":60000},\"assignTo\":\"writer\"}]}");
        assertEquals(200, batch.status(), () -> String.valueOf(batch.body()));
        JsonNode results = batch.body().get("results");
        assertEquals("accepted", results.get(0).get("status").asText());
        assertEquals("refused", results.get(1).get("status").asText());
        assertTrue(results.get(1).get("error").asText().contains("no live agent offers the required capabilities [flying]"));
        assertEquals("tasks[2].executor", results.get(2).get("field").asText());
        assertEquals("accepted", results.get(3).get("status").asText());
        awaitState("b1", "completed");
        awaitState("b4", "running");
        assertEquals(200, client.send("DELETE", api + "t/tasks/b4", null).status());
        assertEquals("cancelled", awaitState("b4", "cancelled").get("state").asText());
        JsonNode completed = client.send("GET", api + "t/tasks?state=completed", null).body().get("tasks");
        assertTrue(completed.toString().contains("\"b1\""));
        assertTrue(!completed.toString().contains("\"b4\""));
    }

    @Test
    void badTaskInputIsRefusedNamingTheField() throws Exception {
        assertProblem(client.send("POST", api + "t/tasks", "{\"executor\":\"sleep\",\"priority\":10}"), 400, "priority");
        assertProblem(client.send("POST", api + "t/tasks", "{\"id\":\"x\"}"), 400, "executor");
        assertProblem(client.send("POST", api + "t/tasks", "{\"executor\":\"sleep\",\"requiredCapabilities\":\"code\"}"), 400, "requiredCapabilities");
        assertProblem(client.send("POST", api + "t/tasks", "{\"executor\":\"shell\",\"payload\":{}}"), 400, "payload.command");
        assertProblem(client.send("POST", api + "t/tasks", "{\"executor\":\"http\",\"payload\":{\"url\":\"ftp://x\"}}"), 400, "payload.url");
        assertProblem(client.send("POST", api + "t/tasks", "{\"executor\":\"sleep\",\"timeoutMillis\":0}"), 400, "timeoutMillis");
        assertProblem(client.send("POST", api + "t/tasks", "{\"executor\":\"sleep\",\"assignTo\":\"nobody\"}"), 422, "requiredCapabilities");
        assertProblem(client.send("POST", api + "t/tasks", "{\"executor\":\"sleep\",\"requiredCapabilities\":[\"flying\"]}"), 422, "requiredCapabilities");
        assertProblem(client.send("POST", api + "t/tasks", "{\"tasks\":[]}"), 400, "tasks");
        assertProblem(client.send("GET", api + "t/tasks/never-submitted", null), 404, "taskId");
        assertProblem(client.send("GET", api + "t/tasks?state=sleeping", null), 400, "state");
        assertProblem(client.send("GET", api + "nope/tasks/x", null), 404, "swarmId");
        assertProblem(client.send("POST", api + "t/agents/nobody/claim", null), 400, "agentId");
        assertProblem(client.send("POST", api + "t/tasks/echo/complete", "{\"attempt\":1}"), 400, "agentId");
    }
}

package org.agentmesh.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.agentmesh.memory.RaftMember;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP contract of the mesh memory and the Raft status, against a real one-node mesh over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryHttpApiTest {

    private MeshTestCluster cluster;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        cluster = MeshTestCluster.start(1, Map.of("agent-mesh.raft.request-timeout", "2s"));
        base = cluster.node(0).httpBase();
        cluster.node(0).mesh().createSwarm(SwarmRequest.of("mem", 3)).toCompletableFuture().join();
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                return send("GET", "/api/v1/swarms/mem/memory/ns/warm-up", null).status() == 404;
            } catch (Exception e) {
                return false;
            }
        });
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

    private static final String MEM = "/api/v1/swarms/mem/memory";

    @Test
    void storeRetrieveOverwriteDelete() throws Exception {
        Reply put = send("PUT", MEM + "/notes/plan", "{\"value\": {\"steps\": [1, 2, 3], \"owner\": \"a1\"}}");
        assertEquals(200, put.status(), () -> "body: " + put.body());
        long v1 = put.body().get("version").asLong();
        assertTrue(v1 > 0);

        Reply get = send("GET", MEM + "/notes/plan", null);
        assertEquals(200, get.status());
        assertEquals(v1, get.body().get("version").asLong());
        assertEquals(3, get.body().get("value").get("steps").size());
        assertEquals("a1", get.body().get("value").get("owner").asText());

        long v2 = send("PUT", MEM + "/notes/plan", "{\"value\": \"second\"}").body().get("version").asLong();
        assertTrue(v2 > v1, "versions increase: " + v1 + " then " + v2);
        assertEquals("second", send("GET", MEM + "/notes/plan", null).body().get("value").asText());

        Reply del = send("DELETE", MEM + "/notes/plan", null);
        assertEquals(200, del.status());
        assertEquals(v2, del.body().get("version").asLong());
        assertProblem(send("GET", MEM + "/notes/plan", null), 404, "key");
        assertProblem(send("DELETE", MEM + "/notes/plan", null), 404, "key");
    }

    @Test
    void casSucceedsOnTheCurrentVersionAndConflictsWithTheCurrentVersionOtherwise() throws Exception {
        Reply create = send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": 0, \"value\": \"a1\"}");
        assertEquals(200, create.status(), () -> "body: " + create.body());
        long v1 = create.body().get("version").asLong();

        Reply conflict = send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": 0, \"value\": \"a2\"}");
        assertProblem(conflict, 409, "expectedVersion");
        assertEquals(v1, conflict.body().get("currentVersion").asLong());

        Reply stale = send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": " + (v1 + 1000) + ", \"value\": \"a2\"}");
        assertProblem(stale, 409, "expectedVersion");
        assertEquals(v1, stale.body().get("currentVersion").asLong());

        Reply swap = send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": " + v1 + ", \"value\": \"a2\"}");
        assertEquals(200, swap.status());
        assertTrue(swap.body().get("version").asLong() > v1);
        assertEquals("a2", send("GET", MEM + "/locks/leader", null).body().get("value").asText());

        Reply absent = send("POST", MEM + "/locks/nobody/cas", "{\"expectedVersion\": 5, \"value\": 1}");
        assertProblem(absent, 409, "expectedVersion");
        assertEquals(0, absent.body().get("currentVersion").asLong());
    }

    @Test
    void listByPrefixAndSearchByGlobOrSubstring() throws Exception {
        for (String k : new String[] {"task-1", "task-2", "tusk-3", "other"}) {
            assertEquals(200, send("PUT", MEM + "/list/" + k, "{\"value\": \"" + k + "\"}").status());
        }
        assertEquals(200, send("PUT", MEM + "/list2/task-9", "{\"value\": 9}").status());
        Reply list = send("GET", MEM + "/list?prefix=task-", null);
        assertEquals(200, list.status());
        assertEquals(2, list.body().get("items").size(), () -> "body: " + list.body());
        assertEquals("task-1", list.body().get("items").get(0).get("key").asText());
        assertEquals(4, send("GET", MEM + "/list", null).body().get("items").size());
        assertEquals(1, send("GET", MEM + "/list?prefix=task-&limit=1", null).body().get("items").size());

        Reply glob = send("GET", MEM + "?search=t?sk-*", null);
        assertEquals(200, glob.status());
        assertEquals(4, glob.body().get("items").size(), () -> "body: " + glob.body()); // task-1, task-2, tusk-3, list2/task-9
        Reply inOne = send("GET", MEM + "?search=t?sk-*&namespace=list", null);
        assertEquals(3, inOne.body().get("items").size());
        Reply substring = send("GET", MEM + "?search=ther", null);
        assertEquals(1, substring.body().get("items").size());
        assertEquals("list", substring.body().get("items").get(0).get("namespace").asText());
    }

    @Test
    void ttlExpiresAValue() throws Exception {
        assertEquals(200, send("PUT", MEM + "/ttl/short", "{\"value\": 1, \"ttlSeconds\": 1}").status());
        Reply fresh = send("GET", MEM + "/ttl/short", null);
        assertEquals(200, fresh.status());
        assertTrue(fresh.body().get("expiresAtMillis").asLong() > System.currentTimeMillis() - 5000);
        MeshTestCluster.awaitUntil(Duration.ofSeconds(5), () -> {
            try {
                return send("GET", MEM + "/ttl/short", null).status() == 404;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void badInputIsA400NamingTheField() throws Exception {
        assertProblem(send("PUT", MEM + "/ns/k", "{}"), 400, "value");
        assertProblem(send("PUT", MEM + "/ns/k", "{\"value\": 1, \"colour\": 2}"), 400, "colour");
        assertProblem(send("PUT", MEM + "/ns/k", "{\"value\": 1, \"ttlSeconds\": \"soon\"}"), 400, "ttlSeconds");
        assertProblem(send("PUT", MEM + "/ns/k", "{\"value\": 1, \"ttlSeconds\": 0}"), 400, "ttlSeconds");
        assertProblem(send("PUT", MEM + "/ns/k", "not json"), 400, "body");
        assertProblem(send("PUT", MEM + "/bad*ns/k", "{\"value\": 1}"), 400, "namespace");
        assertProblem(send("GET", MEM + "/ns/bad%20key", null), 400, "key");
        assertProblem(send("GET", MEM + "/ns/" + "k".repeat(600), null), 400, "key");
        assertProblem(send("POST", MEM + "/ns/k/cas", "{\"value\": 1}"), 400, "expectedVersion");
        assertProblem(send("POST", MEM + "/ns/k/cas", "{\"expectedVersion\": -1, \"value\": 1}"), 400, "expectedVersion");
        assertProblem(send("POST", MEM + "/ns/k/cas", "{\"expectedVersion\": 1.5, \"value\": 1}"), 400, "expectedVersion");
        assertProblem(send("GET", MEM + "/ns?limit=lots", null), 400, "limit");
        assertProblem(send("GET", MEM + "/ns?limit=0", null), 400, "limit");
        assertProblem(send("GET", MEM + "?search=a%20b", null), 400, "pattern");
        assertProblem(send("GET", MEM, null), 400, "search");
        assertProblem(send("GET", "/api/v1/swarms/nope/memory/ns/k", null), 404, "swarmId");
        assertProblem(send("PUT", "/api/v1/swarms/nope/memory/ns/k", "{\"value\": 1}"), 404, "swarmId");
    }

    @Test
    void raftStatusNamesLeaderTermCommitAndMembers() throws Exception {
        assertEquals(200, send("PUT", MEM + "/raft/x", "{\"value\": 1}").status());
        Reply r = send("GET", "/api/v1/swarms/mem/raft", null);
        assertEquals(200, r.status(), () -> "body: " + r.body());
        assertFalse(r.body().get("leader").asText().isEmpty());
        assertEquals(r.body().get("leader").asText(), r.body().get("answeredBy").asText());
        assertTrue(r.body().get("term").asLong() > 0);
        assertTrue(r.body().get("commitIndex").asLong() > 0);
        assertTrue(r.body().get("lastElectionAtMillis").asLong() > 0);
        assertEquals(3, r.body().get("voters").size());
        assertEquals(3, r.body().get("members").size());
        for (JsonNode m : r.body().get("members")) {
            assertTrue(m.get("matchIndex").asLong() > 0, "member " + m);
        }
        assertProblem(send("GET", "/api/v1/swarms/nope/raft", null), 404, "swarmId");
    }

    @Test
    void shuttingASwarmDownStopsItsRaftGroup() throws Exception {
        cluster.node(0).mesh().createSwarm(SwarmRequest.of("brief", 2)).toCompletableFuture().join();
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                return send("PUT", "/api/v1/swarms/brief/memory/ns/k", "{\"value\": 1}").status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode voters = send("GET", "/api/v1/swarms/brief/raft", null).body().get("voters");
        assertEquals(200, send("DELETE", "/api/v1/swarms/brief", null).status());
        ClusterSharding sharding = ClusterSharding.get(cluster.node(0).system());
        for (JsonNode id : voters) {
            MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> !sharding
                    .entityRefFor(RaftMember.TYPE_KEY, RaftMember.entityId("brief", id.asText()))
                    .<RaftMember.RaftStatus>ask(RaftMember.GetStatus::new, Duration.ofSeconds(5))
                    .toCompletableFuture().join().started());
        }
        assertProblem(send("GET", "/api/v1/swarms/brief/memory/ns/k", null), 404, "swarmId");
    }

    /** Two of three members gone for good: writes and reads must fail with 503 in time, never answer from a minority. */
    @Test
    void withoutAMajorityRequestsGet503() throws Exception {
        cluster.node(0).mesh().createSwarm(SwarmRequest.of("minority", 3)).toCompletableFuture().join();
        String m = "/api/v1/swarms/minority/memory";
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                return send("PUT", m + "/ns/k", "{\"value\": 1}").status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode status = send("GET", "/api/v1/swarms/minority/raft", null).body();
        ClusterSharding sharding = ClusterSharding.get(cluster.node(0).system());
        // stop the leader and one follower: the one left alone cannot form a majority
        String leader = status.get("leader").asText();
        String follower = null;
        for (JsonNode v : status.get("voters")) {
            if (!v.asText().equals(leader)) {
                follower = v.asText();
                break;
            }
        }
        for (String id : new String[] {leader, follower}) {
            sharding.entityRefFor(RaftMember.TYPE_KEY, RaftMember.entityId("minority", id)).tell(new RaftMember.Stop());
        }
        Thread.sleep(500);
        long t0 = System.nanoTime();
        assertProblem(send("PUT", m + "/ns/k", "{\"value\": 2}"), 503, null);
        assertProblem(send("GET", m + "/ns/k", null), 503, null);
        assertProblem(send("POST", m + "/ns/k/cas", "{\"expectedVersion\": 0, \"value\": 3}"), 503, null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3 * 3500, "three requests took " + ms + " ms to fail");
    }
}

package org.agentmesh.http;

import static org.agentmesh.http.HttpTestClient.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.agentmesh.http.HttpTestClient.Reply;
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
    private HttpTestClient client;

    @BeforeAll
    void start() throws Exception {
        cluster = MeshTestCluster.start(1, Map.of("agent-mesh.raft.request-timeout", "2s"));
        base = cluster.node(0).httpBase();
        client = new HttpTestClient(cluster.node(0).httpBase());
        cluster.node(0).mesh().createSwarm(SwarmRequest.of("mem", 3)).toCompletableFuture().join();
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                return client.send("GET", "/api/v1/swarms/mem/memory/ns/warm-up", null).status() == 404;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private static final String MEM = "/api/v1/swarms/mem/memory";

    @Test
    void storeRetrieveOverwriteDelete() throws Exception {
        Reply put = client.send("PUT", MEM + "/notes/plan", "{\"value\": {\"steps\": [1, 2, 3], \"owner\": \"a1\"}}");
        assertEquals(200, put.status(), () -> "body: " + put.body());
        long v1 = put.body().get("version").asLong();
        assertTrue(v1 > 0);

        Reply get = client.send("GET", MEM + "/notes/plan", null);
        assertEquals(200, get.status());
        assertEquals(v1, get.body().get("version").asLong());
        assertEquals(3, get.body().get("value").get("steps").size());
        assertEquals("a1", get.body().get("value").get("owner").asText());

        long v2 = client.send("PUT", MEM + "/notes/plan", "{\"value\": \"second\"}").body().get("version").asLong();
        assertTrue(v2 > v1, "versions increase: " + v1 + " then " + v2);
        assertEquals("second", client.send("GET", MEM + "/notes/plan", null).body().get("value").asText());

        Reply del = client.send("DELETE", MEM + "/notes/plan", null);
        assertEquals(200, del.status());
        assertEquals(v2, del.body().get("version").asLong());
        assertProblem(client.send("GET", MEM + "/notes/plan", null), 404, "key");
        assertProblem(client.send("DELETE", MEM + "/notes/plan", null), 404, "key");
    }

    @Test
    void casSucceedsOnTheCurrentVersionAndConflictsWithTheCurrentVersionOtherwise() throws Exception {
        Reply create = client.send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": 0, \"value\": \"a1\"}");
        assertEquals(200, create.status(), () -> "body: " + create.body());
        long v1 = create.body().get("version").asLong();

        Reply conflict = client.send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": 0, \"value\": \"a2\"}");
        assertProblem(conflict, 409, "expectedVersion");
        assertEquals(v1, conflict.body().get("currentVersion").asLong());

        Reply stale = client.send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": " + (v1 + 1000) + ", \"value\": \"a2\"}");
        assertProblem(stale, 409, "expectedVersion");
        assertEquals(v1, stale.body().get("currentVersion").asLong());

        Reply swap = client.send("POST", MEM + "/locks/leader/cas", "{\"expectedVersion\": " + v1 + ", \"value\": \"a2\"}");
        assertEquals(200, swap.status());
        assertTrue(swap.body().get("version").asLong() > v1);
        assertEquals("a2", client.send("GET", MEM + "/locks/leader", null).body().get("value").asText());

        Reply absent = client.send("POST", MEM + "/locks/nobody/cas", "{\"expectedVersion\": 5, \"value\": 1}");
        assertProblem(absent, 409, "expectedVersion");
        assertEquals(0, absent.body().get("currentVersion").asLong());
    }

    @Test
    void listByPrefixAndSearchByGlobOrSubstring() throws Exception {
        for (String k : new String[] {"task-1", "task-2", "tusk-3", "other"}) {
            assertEquals(200, client.send("PUT", MEM + "/list/" + k, "{\"value\": \"" + k + "\"}").status());
        }
        assertEquals(200, client.send("PUT", MEM + "/list2/task-9", "{\"value\": 9}").status());
        Reply list = client.send("GET", MEM + "/list?prefix=task-", null);
        assertEquals(200, list.status());
        assertEquals(2, list.body().get("items").size(), () -> "body: " + list.body());
        assertEquals("task-1", list.body().get("items").get(0).get("key").asText());
        assertEquals(4, client.send("GET", MEM + "/list", null).body().get("items").size());
        assertEquals(1, client.send("GET", MEM + "/list?prefix=task-&limit=1", null).body().get("items").size());

        Reply glob = client.send("GET", MEM + "?search=t?sk-*", null);
        assertEquals(200, glob.status());
        assertEquals(4, glob.body().get("items").size(), () -> "body: " + glob.body()); // task-1, task-2, tusk-3, list2/task-9
        Reply inOne = client.send("GET", MEM + "?search=t?sk-*&namespace=list", null);
        assertEquals(3, inOne.body().get("items").size());
        Reply substring = client.send("GET", MEM + "?search=ther", null);
        assertEquals(1, substring.body().get("items").size());
        assertEquals("list", substring.body().get("items").get(0).get("namespace").asText());
    }

    @Test
    void ttlExpiresAValue() throws Exception {
        assertEquals(200, client.send("PUT", MEM + "/ttl/short", "{\"value\": 1, \"ttlSeconds\": 1}").status());
        Reply fresh = client.send("GET", MEM + "/ttl/short", null);
        assertEquals(200, fresh.status());
        assertTrue(fresh.body().get("expiresAtMillis").asLong() > System.currentTimeMillis() - 5000);
        MeshTestCluster.awaitUntil(Duration.ofSeconds(5), () -> {
            try {
                return client.send("GET", MEM + "/ttl/short", null).status() == 404;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void badInputIsA400NamingTheField() throws Exception {
        assertProblem(client.send("PUT", MEM + "/ns/k", "{}"), 400, "value");
        assertProblem(client.send("PUT", MEM + "/ns/k", "{\"value\": 1, \"colour\": 2}"), 400, "colour");
        assertProblem(client.send("PUT", MEM + "/ns/k", "{\"value\": 1, \"ttlSeconds\": \"soon\"}"), 400, "ttlSeconds");
        assertProblem(client.send("PUT", MEM + "/ns/k", "{\"value\": 1, \"ttlSeconds\": 0}"), 400, "ttlSeconds");
        assertProblem(client.send("PUT", MEM + "/ns/k", "not json"), 400, "body");
        assertProblem(client.send("PUT", MEM + "/bad*ns/k", "{\"value\": 1}"), 400, "namespace");
        assertProblem(client.send("GET", MEM + "/ns/bad%20key", null), 400, "key");
        assertProblem(client.send("GET", MEM + "/ns/" + "k".repeat(600), null), 400, "key");
        assertProblem(client.send("POST", MEM + "/ns/k/cas", "{\"value\": 1}"), 400, "expectedVersion");
        assertProblem(client.send("POST", MEM + "/ns/k/cas", "{\"expectedVersion\": -1, \"value\": 1}"), 400, "expectedVersion");
        assertProblem(client.send("POST", MEM + "/ns/k/cas", "{\"expectedVersion\": 1.5, \"value\": 1}"), 400, "expectedVersion");
        assertProblem(client.send("GET", MEM + "/ns?limit=lots", null), 400, "limit");
        assertProblem(client.send("GET", MEM + "/ns?limit=0", null), 400, "limit");
        assertProblem(client.send("GET", MEM + "?search=a%20b", null), 400, "pattern");
        assertProblem(client.send("GET", MEM, null), 400, "search");
        assertProblem(client.send("GET", "/api/v1/swarms/nope/memory/ns/k", null), 404, "swarmId");
        assertProblem(client.send("PUT", "/api/v1/swarms/nope/memory/ns/k", "{\"value\": 1}"), 404, "swarmId");
    }

    @Test
    void raftStatusNamesLeaderTermCommitAndMembers() throws Exception {
        assertEquals(200, client.send("PUT", MEM + "/raft/x", "{\"value\": 1}").status());
        Reply r = client.send("GET", "/api/v1/swarms/mem/raft", null);
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
        assertProblem(client.send("GET", "/api/v1/swarms/nope/raft", null), 404, "swarmId");
    }

    @Test
    void shuttingASwarmDownStopsItsRaftGroup() throws Exception {
        cluster.node(0).mesh().createSwarm(SwarmRequest.of("brief", 2)).toCompletableFuture().join();
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                return client.send("PUT", "/api/v1/swarms/brief/memory/ns/k", "{\"value\": 1}").status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode voters = client.send("GET", "/api/v1/swarms/brief/raft", null).body().get("voters");
        assertEquals(200, client.send("DELETE", "/api/v1/swarms/brief", null).status());
        ClusterSharding sharding = ClusterSharding.get(cluster.node(0).system());
        for (JsonNode id : voters) {
            MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> !sharding
                    .entityRefFor(RaftMember.TYPE_KEY, RaftMember.entityId("brief", id.asText()))
                    .<RaftMember.RaftStatus>ask(RaftMember.GetStatus::new, Duration.ofSeconds(5))
                    .toCompletableFuture().join().started());
        }
        assertProblem(client.send("GET", "/api/v1/swarms/brief/memory/ns/k", null), 404, "swarmId");
    }

    /** Two of three members gone for good: writes and reads must fail with 503 in time, never answer from a minority. */
    @Test
    void withoutAMajorityRequestsGet503() throws Exception {
        cluster.node(0).mesh().createSwarm(SwarmRequest.of("minority", 3)).toCompletableFuture().join();
        String m = "/api/v1/swarms/minority/memory";
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            try {
                return client.send("PUT", m + "/ns/k", "{\"value\": 1}").status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode status = client.send("GET", "/api/v1/swarms/minority/raft", null).body();
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
        assertProblem(client.send("PUT", m + "/ns/k", "{\"value\": 2}"), 503, null);
        assertProblem(client.send("GET", m + "/ns/k", null), 503, null);
        assertProblem(client.send("POST", m + "/ns/k/cas", "{\"expectedVersion\": 0, \"value\": 3}"), 503, null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3 * 3500, "three requests took " + ms + " ms to fail");
    }
}

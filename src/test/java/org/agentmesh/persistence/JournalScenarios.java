package org.agentmesh.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.swarm.SwarmStatus;
import java.util.Optional;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the journal must guarantee, run on every backend (each subclass is one): agents survive the crash of their
 * node with their state, and a cluster started again from its journal has its swarms back.
 */
abstract class JournalScenarios {

    /**
     * Tasks of a dead node are picked up after this lease, short so the scenarios stay quick; pBFT checkpoints come
     * every 4 requests, so a restart recovers from a stable checkpoint and the batches after it; a Raft member saves a
     * snapshot every 5 journal writes and deletes what is older, so a restart recovers from a trimmed journal.
     */
    static final Map<String, Object> SCENARIO_CONFIG = Map.of("agent-mesh.tasks.lease", "2s", "agent-mesh.tasks.heartbeat", "500ms",
            "agent-mesh.pbft.checkpoint-interval", "4", "agent-mesh.pbft.log-size", "8", "agent-mesh.raft.journal-snapshot-every", "5");

    /** Starts {@code nodes} nodes on this backend; {@code dataDir} survives between two calls of one test. */
    abstract MeshTestCluster cluster(int nodes, Path dataDir);

    /** A connection to the database the cluster of {@code dataDir} journals into, while it runs. */
    abstract Connection database(Path dataDir) throws SQLException;

    /** Live (not deleted) journal rows per persistence id starting with {@code prefix}. */
    private Map<String, Integer> journalRows(Path dataDir, String prefix) {
        try (Connection c = database(dataDir); PreparedStatement q = c.prepareStatement("SELECT \"persistence_id\", COUNT(*)"
                + " FROM \"event_journal\" WHERE \"persistence_id\" LIKE ? AND \"deleted\" = false GROUP BY \"persistence_id\"")) {
            q.setString(1, prefix + "%");
            Map<String, Integer> rows = new HashMap<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getInt(2));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void agentsOfACrashedNodeRunAgainOnTheSurvivorsWithTheirState(@TempDir Path data) {
        try (MeshTestCluster cluster = cluster(3, data)) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("failover", 12)).toCompletableFuture().join();

            MeshTestCluster.awaitUntil(Duration.ofSeconds(20),
                    () -> mesh.status("failover").toCompletableFuture().join().active() == 12);
            SwarmStatus before = mesh.status("failover").toCompletableFuture().join();
            System.out.println("agents per node before the crash: " + before.agentsPerNode());
            assertTrue(before.agentsPerNode().size() >= 2, "12 agents should spread over the nodes: " + before.agentsPerNode());

            // every agent persists a counter of its own: agent-i counts to i
            Map<String, Long> expected = new HashMap<>();
            for (int i = 1; i <= 12; i++) {
                String agent = "agent-" + i;
                for (int k = 0; k < i; k++) {
                    mesh.incrementAgentCounter("failover", agent, "work", 1).toCompletableFuture().join();
                }
                expected.put(agent, (long) i);
            }

            // crash the busier of nodes 1 and 2 (we keep asking through node 0)
            int n1 = before.agentsPerNode().getOrDefault(cluster.address(1), 0);
            int n2 = before.agentsPerNode().getOrDefault(cluster.address(2), 0);
            int victim = n1 >= n2 ? 1 : 2;
            String victimAddress = cluster.address(victim);
            System.out.println("crashing node " + victimAddress + " with " + Math.max(n1, n2) + " agents");
            long crashedAt = System.nanoTime();
            cluster.crash(victim);

            AtomicReference<SwarmStatus> last = new AtomicReference<>();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                SwarmStatus s = mesh.status("failover").toCompletableFuture().join();
                last.set(s);
                return s.active() == 12 && s.agents().stream().noneMatch(a -> a.node().equals(victimAddress));
            });
            System.out.printf("all 12 agents active on the survivors %.1f s after the crash: %s%n",
                    (System.nanoTime() - crashedAt) / 1e9, last.get().agentsPerNode());

            for (SwarmStatus.AgentStatus a : last.get().agents()) {
                assertEquals(expected.get(a.id()), a.counters().get("work"), "state of " + a.id() + " survived");
                boolean moved = before.agents().stream().anyMatch(b -> b.id().equals(a.id()) && b.node().equals(victimAddress));
                if (moved) {
                    assertTrue(a.restarts() >= 1, a.id() + " moved, so it recovered at least once");
                }
            }
        }
    }

    @Test
    void tasksAcceptedBeforeAFullRestartCompleteAfterItExactlyOnce(@TempDir Path data) {
        int tasks = 40;
        try (MeshTestCluster first = cluster(1, data)) {
            AgentMesh mesh = first.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("jobs", 4)).toCompletableFuture().join();
            for (int i = 0; i < tasks; i++) {
                // long enough that most are still queued or running when the node goes down
                mesh.submitTask("jobs", TaskRequest.sleep("job-" + i, 2000, java.util.List.of())).toCompletableFuture().join();
            }
        }
        try (MeshTestCluster second = cluster(1, data)) {
            AgentMesh mesh = second.node(0).mesh();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> mesh.tasks("jobs", Optional.of(TaskEntity.Phase.COMPLETED), tasks + 1)
                    .toCompletableFuture().join().size() == tasks);
            java.util.List<TaskEntity.State> all = mesh.tasks("jobs", Optional.empty(), tasks + 1).toCompletableFuture().join();
            assertEquals(tasks, all.size());
            long resumed = all.stream().filter(t -> t.attempt() > 1).count();
            System.out.println(resumed + " of " + tasks + " tasks were reassigned after the restart");
            assertTrue(resumed > 0, "some tasks were still unfinished at the restart and had to be picked up again");
        }
    }

    @Test
    void memoryWrittenBeforeAFullRestartIsThereAfterIt(@TempDir Path data) {
        java.util.Map<String, Long> versions = new java.util.TreeMap<>();
        try (MeshTestCluster first = cluster(1, data)) {
            AgentMesh mesh = first.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("mem", 3)).toCompletableFuture().join();
            for (int i = 0; i < 20; i++) {
                var value = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(i * i);
                versions.put("k" + i, mesh.memory().store("mem", "ns", "k" + i, value, java.time.Duration.ZERO)
                        .toCompletableFuture().join());
            }
            mesh.memory().delete("mem", "ns", "k0").toCompletableFuture().join();
            // each member has written more than 21 events; every 5th saved a snapshot and deleted what is older
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
                Map<String, Integer> rows = journalRows(data, "RaftMember|mem:");
                return rows.size() == 3 && rows.values().stream().allMatch(n -> n < 10);
            });
        }
        try (MeshTestCluster second = cluster(1, data)) {
            AgentMesh mesh = second.node(0).mesh();
            // the Raft log (or its snapshot) came back from the journal: every acknowledged write, nothing else
            java.util.Map<String, Long>[] seen = new java.util.Map[1];
            MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
                try {
                    var items = mesh.memory().list("mem", "ns", "", 100).toCompletableFuture().join();
                    java.util.Map<String, Long> m = new java.util.TreeMap<>();
                    items.forEach(it -> m.put(it.key(), it.entry().version()));
                    seen[0] = m;
                    return m.size() == 19;
                } catch (Exception e) {
                    return false;
                }
            });
            versions.remove("k0");
            assertEquals(versions, seen[0]);
            assertEquals(81, mesh.memory().retrieve("mem", "ns", "k9").toCompletableFuture().join().orElseThrow().value().asInt());
        }
    }

    @Test
    void aClusterStartedAgainFromItsJournalHasItsSwarmsBack(@TempDir Path data) {
        try (MeshTestCluster first = cluster(1, data)) {
            AgentMesh mesh = first.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("durable", 4)).toCompletableFuture().join();
            assertEquals(3L, mesh.incrementAgentCounter("durable", "agent-2", "jobs", 3).toCompletableFuture().join());
            mesh.createSwarm(SwarmRequest.of("gone", 2)).toCompletableFuture().join();
            mesh.shutdownSwarm("gone").toCompletableFuture().join();
        }

        try (MeshTestCluster second = cluster(1, data)) {
            AgentMesh mesh = second.node(0).mesh();
            // remembered entities come back by themselves; wait until every agent reports active
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20),
                    () -> mesh.status("durable").toCompletableFuture().join().active() == 4);
            SwarmStatus status = mesh.status("durable").toCompletableFuture().join();
            assertEquals(4, status.agentCount());
            SwarmStatus.AgentStatus agent2 = status.agents().stream().filter(a -> a.id().equals("agent-2")).findFirst().orElseThrow();
            assertEquals(3L, agent2.counters().get("jobs"));
            assertTrue(agent2.restarts() >= 1, "the recovery was recorded");
            // a shut-down swarm stays shut down, and the directory lists only the live one
            assertTrue(mesh.status("gone").toCompletableFuture().handle((s, e) -> e != null).join());
            assertEquals(java.util.List.of("durable"), mesh.listSwarms().toCompletableFuture().join());
        }
    }

    /**
     * The pBFT ledger survives a full restart: each replica recovers its own journal (stable checkpoint, batches executed
     * after it, accepted and prepared slots, view), so decided proposals stay decided and open ones keep their votes.
     * The agents' keys persist with the agents: a ballot signed before the restart still verifies after it, and a vote
     * signed after it by the same agent verifies against the key registered before.
     */
    @Test
    void proposalsDecidedBeforeAFullRestartAreThereAfterIt(@TempDir Path data) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String signedBefore;
        try (MeshTestCluster first = cluster(1, data)) {
            AgentMesh mesh = first.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("votes", 4)).toCompletableFuture().join();
            java.util.List<String> agents = mesh.status("votes").toCompletableFuture().join().agents().stream()
                    .map(SwarmStatus.AgentStatus::id).sorted().toList();
            for (String id : java.util.List.of("decided", "open")) {
                mesh.propose("votes", new org.agentmesh.proposals.SwarmProposals.ProposeRequest(Optional.of(id),
                        Optional.empty(), json.readTree("{\"question\":\"" + id + "\",\"autoVote\":false}"),
                        Optional.empty(), Optional.of(Duration.ofHours(1)))).toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            for (String agent : agents.subList(0, 3)) {
                vote(mesh, "decided", agent, Optional.empty());
            }
            vote(mesh, "open", agents.get(0), Optional.empty());
            signedBefore = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(first.node(0).system())
                    .entityRefFor(org.agentmesh.swarm.AgentEntity.TYPE_KEY,
                            org.agentmesh.swarm.AgentEntity.entityId("votes", agents.get(1)))
                    .<org.agentmesh.swarm.AgentEntity.BallotSignature>ask(r -> new org.agentmesh.swarm.AgentEntity.SignBallot(
                            "open", org.agentmesh.proposals.Choice.APPROVE, r), Duration.ofSeconds(30))
                    .toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS).signature();
        }

        try (MeshTestCluster second = cluster(1, data)) {
            AgentMesh mesh = second.node(0).mesh();
            java.util.List<String> agents = mesh.status("votes").toCompletableFuture().join().agents().stream()
                    .map(SwarmStatus.AgentStatus::id).sorted().toList();
            AtomicReference<org.agentmesh.proposals.ProposalStatus> decided = new AtomicReference<>();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
                try {
                    decided.set(mesh.proposal("votes", "decided").toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS));
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(org.agentmesh.proposals.Decision.APPROVED, decided.get().decision(), decided.get()::toString);
            assertEquals(3, decided.get().tally().approve());
            var open = mesh.proposal("votes", "open").toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(org.agentmesh.proposals.Decision.OPEN, open.decision(), open::toString);
            assertEquals(1, open.tally().approve(), "the vote cast before the restart still counts");
            var second1 = vote(mesh, "open", agents.get(1), Optional.of(signedBefore));
            assertEquals(2, second1.tally().approve(), "a ballot signed before the restart verifies after it");
            var third = vote(mesh, "open", agents.get(2), Optional.empty());
            assertEquals(org.agentmesh.proposals.Decision.APPROVED, third.decision(),
                    "signed after the restart with the key the agent had before: " + third);
        }
    }

    private static org.agentmesh.proposals.ProposalStatus vote(AgentMesh mesh, String proposal, String agent,
            Optional<String> signature) throws Exception {
        return mesh.vote("votes", proposal, agent, org.agentmesh.proposals.Choice.APPROVE, signature)
                .toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    }
}

package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.agentmesh.memory.MeshMemory;
import org.agentmesh.memory.RaftMember;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmHealth;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/**
 * A node whose agents vote in the swarm's Raft group crashes: once the failure detector confirms those agents failed,
 * the group's leader removes them and promotes the live learner, so the voter set is made of live agents again and
 * writes go on. Silence alone (voter-replace-after 10 min) and the split brain resolver (30 s, which would restart the
 * members elsewhere) are both too slow to do it within the test: only the failure verdict can.
 */
class FailedVoterReplacementTest {

    private static final int AGENTS = 8;
    /** Swarms tried for a fitting placement; each try's placement is printed. */
    private static final int ATTEMPTS = 12;

    @Test
    void votersOfACrashedNodeAreReplacedOnceTheirFailureIsConfirmed() {
        Map<String, Object> o = new HashMap<>(PartitionTest.fastDetection());
        o.put("agent-mesh.raft.max-voters", "5");
        o.put("agent-mesh.raft.voter-replace-after", "10m");
        o.put("pekko.cluster.split-brain-resolver.stable-after", "30s");
        o.put("agent-mesh.tasks.lease", "60s");
        try (MeshTestCluster cluster = MeshTestCluster.start(3, o)) {
            AgentMesh mesh0 = cluster.node(0).mesh();
            MeshMemory memory0 = mesh0.memory();
            // a node that hosts a voter, but fewer than half of them (the others can still commit the repair) and of the
            // agents, and not the swarm's directory (until the node is downed, the repair's routing and reads would wait on it)
            java.util.concurrent.atomic.AtomicReference<Set<String>> votersSeen = new java.util.concurrent.atomic.AtomicReference<>();
            MeshTestCluster.Placement placed = cluster.placeSwarm("vote", AGENTS, ATTEMPTS, (id, health) -> {
                MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
                    try {
                        memory0.store(id, "ns", "before", IntNode.valueOf(1), Duration.ZERO).toCompletableFuture().join();
                        return voters(memory0, id).size() == 5;
                    } catch (RuntimeException e) {
                        return false;
                    }
                });
                Set<String> voters = voters(memory0, id);
                votersSeen.set(voters);
                System.out.printf("%s: voters %s%n", id, voters);
                for (int node : new int[] {1, 2, 0}) {
                    long v = countIn(cluster.agentsOn(health, node), voters);
                    // and fewer than half of the agents: the survivors must keep a majority, or they go read-only
                    if (v >= 1 && 2 * (voters.size() - v) > voters.size()
                            && 2 * cluster.agentsOn(health, node).size() < AGENTS && !cluster.hostsDirectoryOf(node, id)) {
                        return node;
                    }
                }
                return -1;
            });
            String swarmId = placed.swarmId();
            int victim = placed.victim();
            SwarmHealth health = placed.health();
            Set<String> votersBefore = votersSeen.get();
            Set<String> dead = cluster.agentsOn(health, victim);
            MeshMemory memory = cluster.node(victim == 0 ? 1 : 0).mesh().memory();
            Set<String> live = new TreeSet<>();
            health.agents().forEach(r -> live.add(r.agentId()));
            live.removeAll(dead);

            long crashedAt = System.currentTimeMillis();
            cluster.crash(victim);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
                try {
                    Set<String> v = voters(memory, swarmId);
                    return v.stream().noneMatch(dead::contains) && v.size() == Math.min(5, live.size());
                } catch (RuntimeException e) {
                    return false; // no leader for a moment (it may have been on the crashed node)
                }
            });
            System.out.printf("voters %s replaced by %s %d ms after the crash%n", votersBefore, voters(memory, swarmId),
                    System.currentTimeMillis() - crashedAt);
            assertTrue(live.containsAll(voters(memory, swarmId)), "every voter is a live agent");
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                try {
                    memory.store(swarmId, "ns", "after", IntNode.valueOf(2), Duration.ZERO).toCompletableFuture().join();
                    return true;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            assertEquals(2, memory.retrieve(swarmId, "ns", "after").toCompletableFuture().join().orElseThrow().value().asInt());
            assertEquals(1, memory.retrieve(swarmId, "ns", "before").toCompletableFuture().join().orElseThrow().value().asInt());
        }
    }

    private static Set<String> voters(MeshMemory memory, String swarmId) {
        RaftMember.RaftStatus s = memory.raftStatus(swarmId).toCompletableFuture().join();
        if (!s.role().equals("leader")) {
            throw new IllegalStateException("no leader answered");
        }
        Set<String> v = new TreeSet<>();
        s.members().stream().filter(RaftMember.MemberProgress::voter).forEach(m -> v.add(m.id()));
        return v;
    }

    private static long countIn(Set<String> agents, Set<String> voters) {
        return agents.stream().filter(voters::contains).count();
    }
}

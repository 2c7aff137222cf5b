package org.agentmesh.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/** A node crash moves its agents to the survivors, with their persisted state. */
class ClusterFailoverTest {

    @Test
    void agentsOfACrashedNodeRunAgainOnTheSurvivorsWithTheirState() {
        try (MeshTestCluster cluster = MeshTestCluster.start(3)) {
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

            // crash a node that hosts agents and is not node 0 (we keep asking through node 0)
            int victim = cluster.address(1).equals(busiestNode(before, cluster)) ? 1 : 2;
            String victimAddress = cluster.address(victim);
            long onVictim = before.agents().stream().filter(a -> a.node().equals(victimAddress)).count();
            System.out.println("crashing node " + victimAddress + " with " + onVictim + " agents");
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

            SwarmStatus after = last.get();
            for (SwarmStatus.AgentStatus a : after.agents()) {
                assertEquals(expected.get(a.id()), a.counters().get("work"), "state of " + a.id() + " survived");
                boolean moved = before.agents().stream().anyMatch(b -> b.id().equals(a.id()) && b.node().equals(victimAddress));
                if (moved) {
                    assertTrue(a.restarts() >= 1, a.id() + " moved, so it recovered at least once");
                }
            }
        }
    }

    private static String busiestNode(SwarmStatus s, MeshTestCluster cluster) {
        String n1 = cluster.address(1);
        String n2 = cluster.address(2);
        return s.agentsPerNode().getOrDefault(n1, 0) >= s.agentsPerNode().getOrDefault(n2, 0) ? n1 : n2;
    }
}

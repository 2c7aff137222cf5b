package org.agentmesh.failure;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/**
 * A crashed node hosting 4 or more of a swarm's 9 agents: every one of them is confirmed failed by the survivors (a
 * minority of survivors too: detection needs no majority, only confirmations among those that answer). Before the
 * detectors bridged over crashed neighbours (see {@link FailureDetectorCore}), an agent whose overlay neighbours all
 * lived on that node was watched by nobody: in two runs of {@link FailedAgentRoutingTest} with such a placement some of
 * the 4 were confirmed within 4 s and the others not within 20 s. Whether a placement leaves such an agent depends on
 * the overlay (one run of this test on the old detector passed); {@code FailureDetectorSimulationTest} reproduces it
 * by seed, this test checks the actor shell end to end with the placement that exposed it.
 */
class CrashedNodeDetectionTest {

    private static final int AGENTS = 9;
    private static final int ATTEMPTS = 15;

    @Test
    void everyAgentOfACrashedNodeHostingFourOrMoreOfNineIsConfirmedFailed() {
        Map<String, Object> o = new HashMap<>(PartitionTest.fastDetection());
        // the resolver must not down the node (its agents then restart elsewhere and refute) before the check
        o.put("pekko.cluster.split-brain-resolver.stable-after", "30s");
        try (MeshTestCluster cluster = MeshTestCluster.start(3, o)) {
            MeshTestCluster.Placement placed = cluster.placeSwarm("four", AGENTS, ATTEMPTS, (id, health) -> {
                for (int i = 1; i <= 2; i++) { // node 0 is the client; the directory's node would stall routing
                    if (!cluster.hostsDirectoryOf(i, id) && cluster.agentsOn(health, i).size() >= 4) {
                        return i;
                    }
                }
                return -1;
            });
            Set<String> victims = cluster.agentsOn(placed.health(), placed.victim());
            AgentMesh mesh = cluster.node(0).mesh();
            long crashedAt = System.nanoTime();
            cluster.crash(placed.victim());
            MeshTestCluster.awaitUntil(Duration.ofSeconds(25),
                    () -> mesh.health(placed.swarmId()).toCompletableFuture().join().failed().containsAll(victims));
            System.out.printf("all %d agents of the crashed node %s confirmed failed %d ms after the crash%n", victims.size(),
                    victims, (System.nanoTime() - crashedAt) / 1_000_000);
        }
    }
}

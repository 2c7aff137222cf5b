package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.agentmesh.linearizability.CheckResult;
import org.agentmesh.linearizability.Verdict;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/**
 * Concurrent clients store, retrieve, cas and delete a few keys of one swarm's mesh memory through all three nodes of
 * an in-JVM cluster while one node is crashed and restarted; the recorded history (operations without a definite
 * answer left pending) must be linearizable.
 */
class MeshMemoryLinearizabilityTest {

    private static final String SWARM = "lin";
    private static final String NS = "ns";
    private static final int CLIENTS = 6;

    @Test
    void historiesAcrossACrashAndRestartAreLinearizable() throws Exception {
        try (MeshTestCluster cluster = MeshTestCluster.start(3)) {
            cluster.node(0).mesh().createSwarm(SwarmRequest.of(SWARM, 3)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            // every node learns the group (and a leader exists) before the clock starts
            for (int i = 0; i < 3; i++) {
                MeshMemory m = cluster.node(i).mesh().memory();
                MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                    try {
                        m.retrieve(SWARM, NS, "warm-up").toCompletableFuture().get(10, TimeUnit.SECONDS);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }

            MemoryClients clients = new MemoryClients(SWARM, NS, 3, i -> {
                try {
                    return cluster.isRunning(i) ? Optional.of(cluster.node(i).mesh().memory()) : Optional.empty();
                } catch (IllegalStateException crashed) { // crashed between the two calls
                    return Optional.empty();
                }
            });
            clients.start(CLIENTS);
            Thread.sleep(4000);
            long crashedAt = System.nanoTime();
            cluster.crash(2);
            Thread.sleep(8000);
            cluster.restart(2);
            cluster.awaitUp(3, Duration.ofSeconds(30));
            clients.mark();
            Thread.sleep(6000);
            clients.stop();

            CheckResult result = clients.check(crashedAt);
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.explanation());
            assertTrue(clients.completed() >= 200, "too few operations completed to mean anything: " + clients.completed());
            assertTrue(clients.completedAfterMark() > 0, "no operation completed after the restart");
        }
    }
}

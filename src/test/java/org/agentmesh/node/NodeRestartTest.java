package org.agentmesh.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.swarm.SwarmStatus;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node stopped and started again from its data dir has the same swarm: it is event-sourced, not in memory. */
class NodeRestartTest {

    @Test
    void aRestartedNodeRecoversItsSwarmsFromTheJournal(@TempDir Path data) {
        try (MeshTestCluster first = MeshTestCluster.start(1, data, Map.of())) {
            AgentMesh mesh = first.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("durable", 4)).toCompletableFuture().join();
            assertEquals(3L, mesh.incrementAgentCounter("durable", "agent-2", "jobs", 3).toCompletableFuture().join());
            mesh.createSwarm(SwarmRequest.of("gone", 2)).toCompletableFuture().join();
            mesh.shutdownSwarm("gone").toCompletableFuture().join();
        }
        assertTrue(Files.exists(data.resolve("journal.mv.db")), "the journal is a file in the data dir");

        try (MeshTestCluster second = MeshTestCluster.start(1, data, Map.of())) {
            AgentMesh mesh = second.node(0).mesh();
            // remembered entities come back by themselves; wait until every agent reports active
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20),
                    () -> mesh.status("durable").toCompletableFuture().join().active() == 4);
            SwarmStatus status = mesh.status("durable").toCompletableFuture().join();
            assertEquals(4, status.agentCount());
            SwarmStatus.AgentStatus agent2 = status.agents().stream().filter(a -> a.id().equals("agent-2")).findFirst().orElseThrow();
            assertEquals(3L, agent2.counters().get("jobs"));
            assertTrue(agent2.restarts() >= 1, "the recovery was recorded");
            // a shut-down swarm stays shut down
            assertTrue(mesh.status("gone").toCompletableFuture().handle((s, e) -> e != null).join());
        }
    }
}

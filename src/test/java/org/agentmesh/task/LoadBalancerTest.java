package org.agentmesh.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/** With stealing off, the load balancer alone moves queued tasks from the hot agent to the cold ones. */
class LoadBalancerTest {

    @Test
    void queuedTasksMigrateFromHotToColdAgents() {
        int tasks = 60;
        try (MeshTestCluster cluster = MeshTestCluster.start(1, Map.of(
                "agent-mesh.scheduling.stealing.enabled", "off",
                "agent-mesh.scheduling.balancer.interval", "300ms"))) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(new SwarmRequest("lb", "mesh", 4, "capability", 4, null, null)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> mesh.status("lb").toCompletableFuture().join().active() == 4);
            List<CompletableFuture<TaskEntity.State>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                all.add(mesh.submitTask("lb", new TaskRequest("m" + i, List.of(), null, 200L, null, "sleep", null, null, null, "agent-1"))
                        .toCompletableFuture());
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(90), () -> mesh.tasks("lb", Optional.of(TaskEntity.Phase.COMPLETED), tasks + 1)
                    .toCompletableFuture().join().size() == tasks);
            Map<String, Integer> by = new TreeMap<>();
            for (TaskEntity.State t : mesh.tasks("lb", Optional.empty(), tasks + 1).toCompletableFuture().join()) {
                by.merge(t.agentId(), 1, Integer::sum);
            }
            System.out.println("executed by " + by);
            assertEquals(tasks, by.values().stream().mapToInt(Integer::intValue).sum());
            assertTrue(by.size() > 1, "the balancer moved work off the hot agent: " + by);
            assertTrue(by.get("agent-1") < tasks, "agent-1 did not run everything");
        }
    }
}

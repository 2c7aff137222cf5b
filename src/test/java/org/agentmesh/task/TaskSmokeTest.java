package org.agentmesh.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

class TaskSmokeTest {

    @Test
    void submittedTasksRunToCompletion() {
        try (MeshTestCluster cluster = MeshTestCluster.start(1)) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("smoke", 4)).toCompletableFuture().join();
            List<CompletableFuture<TaskEntity.State>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(mesh.submitTask("smoke", TaskRequest.sleep("t" + i, 20, List.of())).toCompletableFuture());
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> mesh.tasks("smoke", Optional.of(TaskEntity.Phase.COMPLETED), 1000)
                    .toCompletableFuture().join().size() == 50);
            assertEquals(50, mesh.tasks("smoke", Optional.empty(), 1000).toCompletableFuture().join().size());
            // the workers ran exactly the 50 attempts, and each reports nothing left
            List<AgentWorker.Load> loads = mesh.workerLoads("smoke").toCompletableFuture().join();
            assertEquals(50, loads.stream().mapToLong(AgentWorker.Load::executed).sum());
            assertEquals(0, loads.stream().mapToInt(l -> l.running() + l.queued()).sum());
        }
    }
}

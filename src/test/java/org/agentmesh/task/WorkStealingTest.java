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

/** All tasks go to one agent; with stealing the others take most of them (the makespans are printed, not asserted). */
class WorkStealingTest {

    private static final int TASKS = 120;
    private static final long TASK_MILLIS = 100;

    record Run(double makespanSeconds, Map<String, Integer> executedBy) {}

    private static Run run(boolean stealing) {
        try (MeshTestCluster cluster = MeshTestCluster.start(1, Map.of("agent-mesh.scheduling.stealing.enabled", stealing ? "on" : "off",
                // stealing alone: the load balancer would also move work off the busy agent
                "agent-mesh.scheduling.balancer.enabled", "off"))) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(new SwarmRequest("steal", "mesh", 6, "capability", null, null, List.of(
                    agent("agent-1"), agent("agent-2"), agent("agent-3"), agent("agent-4"), agent("agent-5"), agent("agent-6"))))
                    .toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> mesh.status("steal").toCompletableFuture().join().active() == 6);
            long start = System.nanoTime();
            List<CompletableFuture<TaskEntity.State>> all = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                all.add(mesh.submitTask("steal", new TaskRequest("t" + i, List.of(), null, TASK_MILLIS, null, "sleep", null, null, null, "agent-1"))
                        .toCompletableFuture());
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> mesh.tasks("steal", Optional.of(TaskEntity.Phase.COMPLETED), TASKS + 1)
                    .toCompletableFuture().join().size() == TASKS);
            double makespan = (System.nanoTime() - start) / 1e9;
            Map<String, Integer> by = new TreeMap<>();
            for (TaskEntity.State t : mesh.tasks("steal", Optional.empty(), TASKS + 1).toCompletableFuture().join()) {
                by.merge(t.agentId(), 1, Integer::sum);
            }
            return new Run(makespan, by);
        }
    }

    private static SwarmRequest.AgentRequest agent(String id) {
        return new SwarmRequest.AgentRequest(id, List.of("general"), 2);
    }

    @Test
    void idleAgentsStealFromTheBusyOne() {
        Run without = run(false);
        Run with = run(true);
        System.out.printf("no stealing: makespan %.2f s, executed by %s%n", without.makespanSeconds(), without.executedBy());
        System.out.printf("stealing:    makespan %.2f s, executed by %s%n", with.makespanSeconds(), with.executedBy());
        assertEquals(Map.of("agent-1", TASKS), without.executedBy(), "without stealing the one agent does everything");
        assertEquals(6, with.executedBy().size(), "with stealing every agent executes some: " + with.executedBy());
        // Behaviour, not timing (a slow CI machine stretches both makespans): most of the work left the busy agent.
        // The makespans are printed above; an ideal split leaves agent-1 a sixth.
        assertTrue(with.executedBy().get("agent-1") < TASKS / 2, "with stealing agent-1 still executed most tasks: " + with.executedBy());
    }
}

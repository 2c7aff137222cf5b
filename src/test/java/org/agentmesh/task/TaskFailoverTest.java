package org.agentmesh.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/** 2,000 tasks on 3 nodes, one node crashed in the middle: every task completes exactly once, none lost. */
class TaskFailoverTest {

    private static final int TASKS = 2_000;

    private static int retries;

    /** What a careful client does: a submission that timed out has an unknown outcome, so it is sent again (same id: idempotent). */
    private static CompletableFuture<TaskEntity.State> submitWithRetry(AgentMesh mesh, TaskRequest task, int tries) {
        return mesh.submitTask("work", task).toCompletableFuture().handle((state, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(state);
            }
            if (tries <= 1) {
                return CompletableFuture.<TaskEntity.State>failedFuture(error);
            }
            synchronized (TaskFailoverTest.class) {
                retries++;
            }
            return submitWithRetry(mesh, task, tries - 1);
        }).thenCompose(f -> f);
    }

    @Test
    void everyTaskCompletesExactlyOnceThroughANodeCrash() throws Exception {
        // short leases so the tasks of the crashed node are reassigned quickly
        try (MeshTestCluster cluster = MeshTestCluster.start(3, Map.of("agent-mesh.tasks.lease", "3s", "agent-mesh.tasks.heartbeat", "500ms"))) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("work", 6)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> mesh.status("work").toCompletableFuture().join().active() == 6);

            long started = System.nanoTime();
            List<CompletableFuture<TaskEntity.State>> accepted = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                accepted.add(submitWithRetry(mesh, TaskRequest.sleep("t-" + i, 30, List.of()), 5));
                if (i == TASKS / 2) {
                    // let half of them be accepted, then crash a node while the rest are submitted and run
                    CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).join();
                    cluster.crash(2);
                    System.out.printf("crashed node 2 after %d submissions (%.1f s)%n", i + 1, (System.nanoTime() - started) / 1e9);
                }
            }
            // every submission was acknowledged (the ones in flight during the crash too)
            CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get();

            MeshTestCluster.awaitUntil(Duration.ofSeconds(120), () -> mesh.tasks("work", Optional.of(TaskEntity.Phase.COMPLETED), TASKS + 1)
                    .toCompletableFuture().join().size() == TASKS);
            System.out.println("submissions retried after a timeout: " + retries);
            System.out.printf("all %d tasks completed %.1f s after the first submission%n", TASKS, (System.nanoTime() - started) / 1e9);

            List<TaskEntity.State> all = mesh.tasks("work", Optional.empty(), TASKS + 1).toCompletableFuture().join();
            assertEquals(TASKS, all.size(), "no task lost, none invented");
            long attempts = all.stream().mapToLong(TaskEntity.State::executions).sum();
            long reassigned = all.stream().filter(t -> t.attempt() > 1).count();
            System.out.printf("execution attempts: %d for %d tasks; %d tasks had more than one assignment%n", attempts, TASKS, reassigned);
            assertTrue(attempts >= TASKS);

            // exactly one Completed event per task in the journal: no result recorded twice
            Map<String, Integer> completions = new HashMap<>();
            String url = "jdbc:h2:file:" + cluster.dataDir().toAbsolutePath() + "/journal;AUTO_SERVER=TRUE";
            try (Connection c = DriverManager.getConnection(url, "sa", "");
                 ResultSet rs = c.createStatement().executeQuery(
                         "select \"persistence_id\", count(*) from \"event_journal\" where \"persistence_id\" like 'Task|work:%' "
                                 + "and \"event_ser_manifest\" like '%TaskEntity$Completed' group by \"persistence_id\"")) {
                while (rs.next()) {
                    completions.put(rs.getString(1), rs.getInt(2));
                }
            }
            assertEquals(TASKS, completions.size(), "every task has a completion in the journal");
            assertTrue(completions.values().stream().allMatch(n -> n == 1), "no task completed twice");
        }
    }
}

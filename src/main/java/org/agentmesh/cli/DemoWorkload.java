package org.agentmesh.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.task.AgentWorker;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskRequest;

/**
 * The demo's workload: tasks needing the capabilities the demo agents have, with skewed durations (most short, a few
 * long), submitted at once; a progress bar until every one completed, then where they ran.
 */
final class DemoWorkload {

    private static final List<List<String>> NEEDS = List.of(List.of("code"), List.of("test"), List.of("review"),
            List.of("research"), List.of("deploy"), List.of("writing"), List.of("code", "test"), List.of("design"));

    private DemoWorkload() {}

    static void run(AgentMesh mesh, String swarm, int count, PrintStream out) throws InterruptedException {
        SplittableRandom random = new SplittableRandom(42);
        String run = Long.toString(System.currentTimeMillis(), 36);
        long totalWork = 0;
        List<CompletableFuture<?>> submitted = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            // Pareto-like: most tasks take 50-250 ms, one in ten up to 2 s
            long millis = random.nextInt(10) == 0 ? 500 + random.nextInt(1500) : 50 + random.nextInt(200);
            totalWork += millis;
            List<String> needs = NEEDS.get(random.nextInt(NEEDS.size()));
            submitted.add(mesh.submitTask(swarm, new TaskRequest("demo-" + run + "-" + i, needs, random.nextInt(10), millis,
                    null, "sleep", null, null, null, null)).toCompletableFuture());
        }
        CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        long refused = submitted.stream().filter(CompletableFuture::isCompletedExceptionally).count();
        out.printf(Locale.ROOT, "submitted %d tasks (%.1f s of work, skewed durations, mixed capabilities)%s%n", count,
                totalWork / 1000.0, refused > 0 ? ", " + refused + " refused" : "");
        int expected = (int) (count - refused);
        int done = 0;
        while (done < expected) {
            done = (int) mesh.tasks(swarm, Optional.of(TaskEntity.Phase.COMPLETED), 1_000_000).toCompletableFuture().join()
                    .stream().filter(t -> t.spec().id().startsWith("demo-" + run + "-")).count();
            int width = 40;
            int filled = expected == 0 ? width : done * width / expected;
            out.printf(Locale.ROOT, "\r[%s%s] %d/%d tasks completed", "#".repeat(filled), ".".repeat(width - filled), done, expected);
            out.flush();
            if (done < expected) {
                Thread.sleep(250);
            }
        }
        out.printf(Locale.ROOT, "%nall done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        out.println("load distribution (attempts executed per agent since this node started):");
        for (AgentWorker.Load a : mesh.workerLoads(swarm).toCompletableFuture().join()) {
            long n = a.executed();
            out.printf(Locale.ROOT, "  %-14s %4d %s%n", a.agentId(), n, "*".repeat((int) Math.min(60, n)));
        }
    }
}

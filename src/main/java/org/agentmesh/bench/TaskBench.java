package org.agentmesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskRequest;
import org.agentmesh.testkit.MeshTestCluster;

/**
 * Task benchmark on real in-JVM clusters (every number measured in this run): (1) no-op tasks per second end to end
 * (submitted, routed, journaled, queued, executed, completed) on 1 and 3 nodes; (2) a skewed workload's makespan per
 * strategy with and without work stealing, as a ratio to the lower bound max(total work / total slots, longest task),
 * with round-robin and random as the baselines. The virtual-time scheduling simulation (load variance, migrations per
 * minute, 10,000 tasks) is {@link SchedulingSimulationBench}, which {@code bench tasks} runs after this.
 */
public final class TaskBench {

    private TaskBench() {}

    public record Throughput(int nodes, int tasks, double submitSeconds, double totalSeconds, double tasksPerSecond) {}

    public record Makespan(String strategy, boolean stealing, int tasks, double makespanSeconds, double lowerBoundSeconds,
            double ratio, Map<String, Integer> executedBy) {}

    static final Map<String, Object> QUIET = Map.of("pekko.actor.serialize-messages", "off");

    public static Throughput throughput(int nodes, int tasks, int inFlight) throws Exception {
        try (MeshTestCluster cluster = MeshTestCluster.start(nodes, QUIET)) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(new SwarmRequest("bench", "mesh", 12, "capability", 12, null, null)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> mesh.status("bench").toCompletableFuture().join().active() == 12);
            Semaphore window = new Semaphore(inFlight);
            long start = System.nanoTime();
            List<CompletableFuture<TaskEntity.State>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                window.acquire();
                CompletableFuture<TaskEntity.State> f = mesh.submitTask("bench", TaskRequest.sleep("noop-" + i, 0, List.of()))
                        .toCompletableFuture();
                f.whenComplete((s, e) -> window.release());
                all.add(f);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            double submitted = (System.nanoTime() - start) / 1e9;
            MeshTestCluster.awaitUntil(Duration.ofSeconds(300), () -> mesh.tasks("bench", Optional.of(TaskEntity.Phase.COMPLETED), tasks + 1)
                    .toCompletableFuture().join().size() == tasks);
            double total = (System.nanoTime() - start) / 1e9;
            return new Throughput(nodes, tasks, submitted, total, tasks / total);
        }
    }

    /** A skewed workload: most tasks 20-120 ms, one in ten 300-900 ms; 8 agents with 2 slots each, all tasks submitted at once. */
    public static Makespan makespan(String strategy, boolean stealing, int tasks, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        long[] durations = new long[tasks];
        long total = 0;
        long longest = 0;
        for (int i = 0; i < tasks; i++) {
            durations[i] = random.nextInt(10) == 0 ? 300 + random.nextInt(600) : 20 + random.nextInt(100);
            total += durations[i];
            longest = Math.max(longest, durations[i]);
        }
        int agents = 8;
        int slots = 2;
        double lower = Math.max((double) total / (agents * slots), longest) / 1000.0;
        Map<String, Object> config = new LinkedHashMap<>(QUIET);
        config.put("agent-mesh.scheduling.stealing.enabled", stealing ? "on" : "off");
        config.put("agent-mesh.scheduling.balancer.enabled", "off"); // the strategies and stealing alone
        try (MeshTestCluster cluster = MeshTestCluster.start(1, config)) {
            AgentMesh mesh = cluster.node(0).mesh();
            List<SwarmRequest.AgentRequest> specs = new ArrayList<>();
            for (int a = 1; a <= agents; a++) {
                specs.add(new SwarmRequest.AgentRequest("agent-" + a, List.of("general"), slots));
            }
            mesh.createSwarm(new SwarmRequest("skew", "mesh", agents, strategy, null, null, specs)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> mesh.status("skew").toCompletableFuture().join().active() == agents);
            long start = System.nanoTime();
            List<CompletableFuture<TaskEntity.State>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                all.add(mesh.submitTask("skew", new TaskRequest("s" + i, List.of(), null, durations[i], null, "sleep", null, null, null, null))
                        .toCompletableFuture());
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(300), () -> mesh.tasks("skew", Optional.of(TaskEntity.Phase.COMPLETED), tasks + 1)
                    .toCompletableFuture().join().size() == tasks);
            double makespan = (System.nanoTime() - start) / 1e9;
            Map<String, Integer> by = new java.util.TreeMap<>();
            mesh.tasks("skew", Optional.empty(), tasks + 1).toCompletableFuture().join().forEach(t -> by.merge(t.agentId(), 1, Integer::sum));
            return new Makespan(strategy, stealing, tasks, makespan, lower, makespan / lower, by);
        }
    }

    public static Map<String, Object> run(int noopTasks, int skewTasks, PrintStream out) throws Exception {
        List<Throughput> throughput = new ArrayList<>();
        out.println("(1) no-op tasks end to end (submit, route, journal, queue, run, complete), 12 agents, 64 submissions in flight");
        out.printf(Locale.ROOT, "%6s %7s %12s %12s %10s%n", "nodes", "tasks", "submit s", "total s", "tasks/s");
        for (int nodes : new int[] {1, 3}) {
            Throughput t = throughput(nodes, noopTasks, 64);
            throughput.add(t);
            out.printf(Locale.ROOT, "%6d %7d %12.2f %12.2f %10.1f%n", t.nodes(), t.tasks(), t.submitSeconds(), t.totalSeconds(), t.tasksPerSecond());
        }
        out.println();
        out.println("(2) skewed workload on one node: 8 agents x 2 slots, makespan vs lower bound max(work/slots, longest task)");
        out.printf(Locale.ROOT, "%-12s %-8s %7s %11s %11s %7s  %s%n", "strategy", "stealing", "tasks", "makespan s", "bound s", "ratio", "tasks per agent");
        List<Makespan> makespans = new ArrayList<>();
        String[][] cases = {{"round-robin", "off"}, {"random", "off"}, {"capability", "off"}, {"round-robin", "on"}, {"capability", "on"}, {"auction", "on"}};
        for (String[] c : cases) {
            Makespan m = makespan(c[0], c[1].equals("on"), skewTasks, 7);
            makespans.add(m);
            out.printf(Locale.ROOT, "%-12s %-8s %7d %11.2f %11.2f %7.2f  %s%n", m.strategy(), c[1], m.tasks(), m.makespanSeconds(),
                    m.lowerBoundSeconds(), m.ratio(), m.executedBy().values());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "tasks");
        doc.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
        doc.put("throughput", throughput);
        doc.put("makespan", makespans);
        Path file = Path.of("bench-results/tasks.json");
        Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        out.println("wrote " + file.toAbsolutePath());
        return doc;
    }
}

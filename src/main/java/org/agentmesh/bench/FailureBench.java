package org.agentmesh.bench;

import org.agentmesh.testkit.MeshTestCluster;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.agentmesh.http.Json;
import org.agentmesh.testkit.NodeProcess;

/**
 * Failure detection end to end, on real processes: three node JVMs, a swarm with long tasks, one node SIGKILLed. It
 * measures, from the kill: Pekko Cluster's own unreachability (the survivors' view), our quorum-confirmed failure of the
 * agents on the killed node (first and last), and the first task of theirs re-dispatched to another agent. Median over
 * runs, a fresh cluster per run. Prints a table and writes {@code bench-results/failure.json}.
 */
public final class FailureBench {

    /** Tuning of both detectors: {@code defaults} as shipped, {@code fast} as the process tests use. */
    public enum Profile {
        DEFAULTS(List.of()),
        FAST(List.of(
                "-Dagent-mesh.failure-detector.probe-interval=500ms",
                "-Dagent-mesh.failure-detector.timeout=2s",
                "-Dagent-mesh.failure-detector.helper-min-wait=500ms",
                "-Dagent-mesh.failure-detector.suspicion-min=500ms",
                "-Dagent-mesh.failure-detector.suspicion-max=2500ms",
                "-Dagent-mesh.failure-detector.liveness-timeout=3s",
                "-Dpekko.cluster.failure-detector.heartbeat-interval=200ms",
                "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=1s",
                "-Dpekko.cluster.split-brain-resolver.stable-after=7s"));

        final List<String> jvmArgs;

        Profile(List<String> jvmArgs) {
            this.jvmArgs = jvmArgs;
        }
    }

    /**
     * One run; times in ms from the SIGKILL, -1 if not seen before the run's deadline. {@code healthAnswered} of
     * {@code healthPolls}: the seed node's health polls that answered (none while the swarm's directory waits for the
     * resolver), to tell "not confirmed" from "not seen".
     */
    public record Run(int run, List<String> victimAgents, int victimTasks, long pekkoUnreachableMs, long firstConfirmedMs,
            long allConfirmedMs, long firstRedispatchMs, int healthPolls, int healthAnswered) {}

    public record Result(String profile, List<String> jvmArgs, int runs, List<Run> results, Map<String, Long> medians) {}

    private static final String SWARM = "bench";
    private static final int AGENTS = 6;
    private static final int TASKS = 12;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path jar;

    public FailureBench(Path jar) {
        this.jar = jar;
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Profile profile = args.length > 1 ? Profile.valueOf(args[1].toUpperCase()) : Profile.FAST;
        Path jar = args.length > 2 ? Path.of(args[2]) : defaultJar();
        System.exit(new FailureBench(jar).runAndReport(runs, profile, Path.of("bench-results/failure.json")) ? 0 : 1);
    }

    /** The jar this class was loaded from, or target/agent-mesh.jar when run from classes. */
    public static Path defaultJar() {
        try {
            Path p = Path.of(FailureBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toString().endsWith(".jar") ? p : Path.of("target/agent-mesh.jar");
        } catch (Exception e) {
            return Path.of("target/agent-mesh.jar");
        }
    }

    /** Runs, prints the table, writes the JSON; false if some run saw nothing. */
    public boolean runAndReport(int runs, Profile profile, Path out) throws Exception {
        List<Run> results = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            Run r = runOnce(i, profile);
            System.out.printf("run %d: victim agents %s holding %d tasks; pekko %d ms, ours first %d ms / all %d ms, re-dispatch %d ms"
                    + " (health answered %d of %d polls)%n", r.run(), r.victimAgents(), r.victimTasks(), r.pekkoUnreachableMs(),
                    r.firstConfirmedMs(), r.allConfirmedMs(), r.firstRedispatchMs(), r.healthAnswered(), r.healthPolls());
            results.add(r);
        }
        Map<String, Long> medians = new LinkedHashMap<>();
        medians.put("pekkoUnreachableMs", median(results.stream().map(Run::pekkoUnreachableMs).toList()));
        medians.put("firstConfirmedMs", median(results.stream().map(Run::firstConfirmedMs).toList()));
        medians.put("allConfirmedMs", median(results.stream().map(Run::allConfirmedMs).toList()));
        medians.put("firstRedispatchMs", median(results.stream().map(Run::firstRedispatchMs).toList()));
        System.out.println();
        System.out.printf("failure detection after SIGKILL of 1 of 3 node JVMs (profile %s, %d runs, median; -1 = not seen)%n",
                profile.name().toLowerCase(), runs);
        System.out.printf("%-48s %10s%n", "measure (ms from SIGKILL)", "median");
        System.out.printf("%-48s %10d%n", "Pekko Cluster: member unreachable (phi accrual)", medians.get("pekkoUnreachableMs"));
        System.out.printf("%-48s %10d%n", "Agent Mesh: first agent confirmed failed", medians.get("firstConfirmedMs"));
        System.out.printf("%-48s %10d%n", "Agent Mesh: all its agents confirmed failed", medians.get("allConfirmedMs"));
        System.out.printf("%-48s %10d%n", "first of its tasks re-dispatched", medians.get("firstRedispatchMs"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out.toFile(),
                new Result(profile.name().toLowerCase(), profile.jvmArgs, runs, results, medians));
        System.out.println("wrote " + out);
        return results.stream().allMatch(r -> r.firstConfirmedMs() >= 0 && r.pekkoUnreachableMs() >= 0);
    }

    static long median(List<Long> values) {
        List<Long> seen = values.stream().filter(v -> v >= 0).sorted().toList();
        return seen.isEmpty() ? -1 : seen.get(seen.size() / 2);
    }

    private Run runOnce(int run, Profile profile) throws Exception {
        Path data = Files.createTempDirectory("agent-mesh-failure-bench");
        int portA = MeshTestCluster.freePort();
        List<String> seed = List.of("127.0.0.1:" + portA);
        try (NodeProcess a = new NodeProcess(jar, portA, MeshTestCluster.freePort(), List.of(), data, profile.jvmArgs);
             NodeProcess b = new NodeProcess(jar, MeshTestCluster.freePort(), MeshTestCluster.freePort(), seed, data, profile.jvmArgs);
             NodeProcess c = new NodeProcess(jar, MeshTestCluster.freePort(), MeshTestCluster.freePort(), seed, data, profile.jvmArgs)) {
            a.start().awaitReady(Duration.ofSeconds(90));
            b.start();
            c.start();
            b.awaitReady(Duration.ofSeconds(90));
            c.awaitReady(Duration.ofSeconds(90));
            HttpResponse<String> created = call("POST", a.httpBase() + "/api/v1/swarms",
                    "{\"id\":\"" + SWARM + "\",\"maxAgents\":" + AGENTS + ",\"agentCount\":" + AGENTS + "}");
            if (created.statusCode() != 201) {
                throw new IllegalStateException("swarm not created: " + created.body());
            }
            await(Duration.ofSeconds(90), () -> {
                JsonNode h = health(a);
                if (h == null || h.get("agents").size() != AGENTS) {
                    return false;
                }
                for (JsonNode r : h.get("agents")) {
                    if (r.get("known").asInt() != AGENTS) {
                        return false;
                    }
                }
                return true;
            });
            for (int i = 0; i < TASKS; i++) {
                call("POST", a.httpBase() + "/api/v1/swarms/" + SWARM + "/tasks",
                        "{\"id\":\"long-" + i + "\",\"executor\":\"sleep\",\"payload\":{\"millis\":300000}}");
            }
            await(Duration.ofSeconds(30), () -> heldTasks(a).size() == TASKS);
            // the victim: the non-seed node whose agents hold the most tasks
            Map<String, Integer> held = heldTasks(a);
            JsonNode h = health(a);
            NodeProcess victim = b.agentsIn(h).size() >= c.agentsIn(h).size() ? b : c;
            Set<String> victimAgents = victim.agentsIn(h);
            Map<String, Integer> victimHeld = new TreeMap<>();
            Map<String, String> holder = holders(a);
            held.forEach((task, attempt) -> {
                if (victimAgents.contains(holder.get(task))) {
                    victimHeld.put(task, attempt);
                }
            });

            long killedAt = System.currentTimeMillis();
            victim.kill();
            long pekko = -1;
            long first = -1;
            long all = -1;
            long deadline = killedAt + 90_000;
            // re-dispatch has no timestamp of its own: polled on its own thread, since a health call can take the status
            // timeout (the dead agents' detectors do not answer) and would blur it
            java.util.concurrent.CompletableFuture<Long> redispatched = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                while (!victimHeld.isEmpty() && System.currentTimeMillis() < deadline) {
                    Map<String, Integer> attempts = attempts(a);
                    for (var e : victimHeld.entrySet()) {
                        if (attempts.getOrDefault(e.getKey(), e.getValue()) > e.getValue()) {
                            return System.currentTimeMillis() - killedAt;
                        }
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return -1L;
                    }
                }
                return -1L;
            });
            int polls = 0;
            int answered = 0;
            while (System.currentTimeMillis() < deadline && (pekko < 0 || all < 0 || (!redispatched.isDone() && !victimHeld.isEmpty()))) {
                JsonNode now = health(a);
                polls++;
                if (now != null) {
                    answered++;
                    if (pekko < 0) {
                        for (var e : iterable(now.get("clusterUnreachable").fields())) {
                            if (e.getKey().endsWith(victim.address())) {
                                for (JsonNode t : e.getValue()) {
                                    if (t.asLong() >= killedAt) {
                                        pekko = t.asLong() - killedAt;
                                    }
                                }
                            }
                        }
                    }
                    Map<String, Long> confirmed = new TreeMap<>();
                    for (JsonNode r : now.get("agents")) {
                        for (JsonNode d : r.get("detections")) {
                            long at = d.get("failedAtMillis").asLong();
                            if (at >= killedAt && victimAgents.contains(d.get("peer").asText())) {
                                confirmed.merge(d.get("peer").asText(), at, Math::min);
                            }
                        }
                    }
                    if (!confirmed.isEmpty() && first < 0) {
                        first = confirmed.values().stream().min(Long::compare).get() - killedAt;
                    }
                    if (confirmed.keySet().containsAll(victimAgents) && all < 0) {
                        all = confirmed.values().stream().max(Long::compare).get() - killedAt;
                    }
                }
                Thread.sleep(100);
            }
            long redispatch = redispatched.join();
            return new Run(run, List.copyOf(victimAgents), victimHeld.size(), pekko, first, all, redispatch, polls, answered);
        } finally {
            deleteQuietly(data);
        }
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }

    private JsonNode tasks(NodeProcess node) {
        try {
            HttpResponse<String> r = call("GET", node.httpBase() + "/api/v1/swarms/" + SWARM + "/tasks", null);
            return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()).get("tasks") : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Assigned or running tasks -> attempt. */
    private Map<String, Integer> heldTasks(NodeProcess node) {
        Map<String, Integer> held = new TreeMap<>();
        JsonNode t = tasks(node);
        if (t != null) {
            t.forEach(x -> {
                String state = x.get("state").asText();
                if (state.equals("assigned") || state.equals("running")) {
                    held.put(x.get("id").asText(), x.get("attempt").asInt());
                }
            });
        }
        return held;
    }

    private Map<String, String> holders(NodeProcess node) {
        Map<String, String> holder = new TreeMap<>();
        JsonNode t = tasks(node);
        if (t != null) {
            t.forEach(x -> holder.put(x.get("id").asText(), x.get("agent").asText()));
        }
        return holder;
    }

    private Map<String, Integer> attempts(NodeProcess node) {
        Map<String, Integer> attempts = new TreeMap<>();
        JsonNode t = tasks(node);
        if (t != null) {
            t.forEach(x -> attempts.put(x.get("id").asText(), x.get("attempt").asInt()));
        }
        return attempts;
    }

    private JsonNode health(NodeProcess node) {
        try {
            HttpResponse<String> r = call("GET", node.httpBase() + "/api/v1/swarms/" + SWARM + "/health", null);
            return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private HttpResponse<String> call(String method, String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not met within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory: leaving it behind is harmless
        }
    }
}

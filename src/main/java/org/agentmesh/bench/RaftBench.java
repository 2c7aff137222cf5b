package org.agentmesh.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.agentmesh.memory.MeshMemory;
import org.agentmesh.memory.RaftMember;
import org.agentmesh.node.MeshNode;
import org.agentmesh.node.NodeSettings;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;

/**
 * The Raft benchmark ({@code bin/agent-mesh bench raft}): commits per second and p50/p99 commit latency of a 3-voter
 * group, ours next to Apache Ratis in the same run, with 1, 16 and 128 concurrent closed-loop clients, the durable log
 * on and off.
 *
 * <ul>
 *   <li><b>Ours</b>: three Agent Mesh nodes (three actor systems, Artery TCP on loopback, one journal each) and a
 *       3-agent swarm; every
 *       operation is a mesh memory {@code store} of a {@code payloadBytes} string through the {@link MeshMemory} of a
 *       node that does not host the leader member (so every request crosses loopback, as a Ratis client's does),
 *       answered once committed and applied. Durable: the group-commit journal on an H2 file per node (each commit
 *       written to the OS, not fsynced); off: Pekko's in-memory journal.</li>
 *   <li><b>Ratis 3.2.2</b>: three servers on loopback gRPC ports, a register state machine, the same payload. Durable:
 *       the segmented log on disk with the same durability as ours (unsafe-flush: written to the OS before the ack,
 *       forced in the background); off: {@code RaftServerConfigKeys.Log.setUseMemory(true)}.</li>
 * </ul>
 */
public final class RaftBench {

    /**
     * What to run: {@code seconds} of measurement (after {@code warmupSeconds}) per cell. Before its first cell, each
     * system's cluster is warmed up by {@link #warmUp}: at least {@code clusterWarmupSeconds}, then until the JIT is
     * quiet, at most {@code clusterWarmupMaxSeconds} (0: no warm-up).
     */
    public record Options(List<Integer> clients, List<Boolean> durable, List<String> systems, double seconds,
            double warmupSeconds, double clusterWarmupSeconds, double clusterWarmupMaxSeconds, int payloadBytes) {
        /** The systems measured: ours and the peer. */
        public static final List<String> SYSTEMS = List.of("agent-mesh", "ratis");

        public Options {
            for (String system : systems) {
                if (!SYSTEMS.contains(system)) {
                    throw new IllegalArgumentException("unknown system " + system + ": one of " + SYSTEMS);
                }
            }
        }

        /** These options for one system in one durability mode. */
        public Options phase(boolean durable, String system) {
            return new Options(clients, List.of(durable), List.of(system), seconds, warmupSeconds, clusterWarmupSeconds,
                    clusterWarmupMaxSeconds, payloadBytes);
        }

        public static Options defaults() {
            return new Options(List.of(1, 16, 128), List.of(true, false), SYSTEMS, 8, 2, 12, 300, 128);
        }
    }

    /**
     * How a system's cluster was warmed up: {@code seconds} of unmeasured rounds, {@code operations} done in them, and
     * the JIT's compile time in the last round as a share of its wall time ({@code quiet}: below
     * {@link #QUIET_JIT_SHARE} for {@link #QUIET_ROUNDS} rounds in a row; false if the warm-up stopped at its maximum first).
     */
    public record WarmUp(String system, boolean durable, double seconds, long operations, double lastRoundJitShare,
            boolean quiet) {}

    /** One measured cell. */
    public record Cell(String system, boolean durable, int clients, long commits, double commitsPerSecond,
            double p50Millis, double p99Millis, long failures) {}

    public record Result(Options options, List<WarmUp> warmUps, List<Cell> cells, String jvm, int processors) {}

    /**
     * The JIT counts as quiet when it compiled for less than this share of a warm-up round's wall time. On this 2-core
     * machine our three nodes kept its compiler threads busy for over a minute, and a cell measured meanwhile measures
     * the compiler, not the system (the README's Raft benchmark section has the /proc thread times).
     */
    static final double QUIET_JIT_SHARE = 0.10;
    /** Quiet rounds in a row that end a warm-up: one alone may be a lull (seen: 5%, 7%, then 44%). */
    static final int QUIET_ROUNDS = 2;
    /** One warm-up round: every client count in turn for this long in all. */
    static final double WARM_UP_ROUND_SECONDS = 6;

    /** Swarms created at most until one has a member on every node. */
    private static final int SPREAD_ATTEMPTS = 200;

    private RaftBench() {}

    /** No arguments: the default run, each phase forked. {@code --phase ...}: one phase in this JVM (see {@link #runForked}). */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(PHASE)) {
            writeJson(run(phaseOptions(args), System.out), Path.of(args[2]));
            return;
        }
        Result r = runForked(Options.defaults(), System.out);
        System.out.println(table(r));
        Path json = writeJson(r, Path.of("bench-results", "raft.json"));
        System.out.println("wrote " + json);
    }

    private static final String PHASE = "--phase";

    /**
     * Runs each phase (one system in one durability mode: its cluster, warm-up and cells) in a JVM of its own, started
     * with this JVM's flags and class path, and merges what they measured. In one JVM a phase ran in the heap and JIT
     * profiles the phases before it left: our in-memory 1-client cell gave 313 and 343 commits/s at the end of the
     * default sequence and 787-1,195 in runs where it did not follow it (README). JMH forks per benchmark for the same
     * reason. Ours and Ratis still alternate per durability mode, as in {@link #run}.
     */
    public static Result runForked(Options o, PrintStream progress) throws Exception {
        List<WarmUp> warmUps = new ArrayList<>();
        List<Cell> cells = new ArrayList<>();
        String jvm = System.getProperty("java.vm.name") + " " + Runtime.version();
        for (boolean durable : o.durable()) {
            for (String system : Options.SYSTEMS) {
                if (!o.systems().contains(system)) {
                    continue;
                }
                Path json = Files.createTempFile("agent-mesh-bench-raft-", ".json");
                try {
                    progress.printf(Locale.ROOT, "%s durable=%s: in a JVM of its own%n", system, durable);
                    progress.flush();
                    // its logs go to our stderr, as in one JVM, so stdout keeps only progress and the table
                    Process child = new ProcessBuilder(phaseCommand(o.phase(durable, system), json))
                            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    try (var lines = child.inputReader()) { // its progress goes where ours does
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            progress.println(line);
                        }
                    }
                    int exit = child.waitFor();
                    if (exit != 0) {
                        throw new IllegalStateException(system + " durable=" + durable + ": its JVM exited with " + exit);
                    }
                    Result r = readJson(json);
                    warmUps.addAll(r.warmUps());
                    cells.addAll(r.cells());
                    jvm = r.jvm();
                } finally {
                    Files.deleteIfExists(json);
                }
            }
        }
        return new Result(o, warmUps, cells, jvm, Runtime.getRuntime().availableProcessors());
    }

    /** The command of a phase's JVM: this JVM's binary, flags and class path, then {@code --phase options-json result-json}. */
    static List<String> phaseCommand(Options phase, Path json) throws IOException {
        Path options = Files.createTempFile("agent-mesh-bench-raft-options-", ".json");
        JsonMapper.builder().build().writeValue(options.toFile(), phase);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RaftBench.class.getName(), PHASE,
                options.toString(), json.toString()));
        return cmd;
    }

    /** The options of {@code --phase options-json result-json}, the same JSON a result carries its options in. */
    static Options phaseOptions(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("--phase takes an options file and a result file, got " + (args.length - 1) + " values");
        }
        Path options = Path.of(args[1]);
        try {
            return JsonMapper.builder().build().readValue(options.toFile(), Options.class);
        } finally {
            Files.deleteIfExists(options);
        }
    }

    /** Runs every cell, printing progress to {@code progress}; ours and Ratis alternate per durability mode. */
    public static Result run(Options o, PrintStream progress) throws Exception {
        // Ratis logs every configuration key at INFO: keep the benchmark's output readable
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.ratis"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        List<Cell> cells = new ArrayList<>();
        List<WarmUp> warmUps = new ArrayList<>();
        String payload = "x".repeat(o.payloadBytes());
        for (boolean durable : o.durable()) {
            if (o.systems().contains("agent-mesh")) {
                measureOurs(o, durable, payload, progress, warmUps, cells);
            }
            if (o.systems().contains("ratis")) {
                try (RatisCluster ratis = new RatisCluster(durable, 16)) {
                    ratis.awaitLeader();
                    warmUps.add(warmUp("ratis", durable, o, (client, seq) -> ratis.write(client, payload), progress));
                    for (int clients : o.clients()) {
                        Cell c = measure("ratis", durable, clients, o, (client, seq) -> ratis.write(client, payload));
                        progress.println(format(c));
                        cells.add(c);
                    }
                }
            }
        }
        return new Result(o, warmUps, cells, System.getProperty("java.vm.name") + " " + Runtime.version(),
                Runtime.getRuntime().availableProcessors());
    }

    /** Three nodes of ours with a 3-agent swarm, measured for every client count; the nodes are closed afterwards. */
    private static void measureOurs(Options o, boolean durable, String payload, PrintStream progress, List<WarmUp> warmUps,
            List<Cell> cells) throws Exception {
        Path dir = Files.createTempDirectory("agent-mesh-bench");
        Map<String, Object> config = new HashMap<>();
        config.put("pekko.actor.serialize-messages", "off");
        config.put("pekko.loglevel", "WARNING");
        if (!durable) {
            config.put("pekko.persistence.journal.plugin", "pekko.persistence.journal.inmem");
            config.put("agent-mesh.raft.journal-plugin", ""); // the members too, not the group-commit journal's H2 file
            config.put("pekko.persistence.snapshot-store.plugin", "pekko.persistence.snapshot-store.local");
            config.put("pekko.persistence.snapshot-store.local.dir", dir.resolve("snapshots").toString());
            // no journal trimming here: Pekko's in-memory journal deletes one sequence number at a time, each a pass
            // over the entity's events, which stalled every member of a node long enough to lose the leader (4 of 6
            // in-memory cells in two runs). Ratis's memory log in this bench is never purged either.
            config.put("agent-mesh.raft.journal-snapshot-every", String.valueOf(Integer.MAX_VALUE));
        }
        List<MeshNode> nodes = startNodes(dir, config);
        try {
            MeshMemory first = nodes.get(0).mesh().memory();
            String swarm = swarmWithOneMemberPerNode(nodes);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
                try {
                    first.store(swarm, "bench", "warm-up", TextNode.valueOf(payload), Duration.ZERO)
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            MeshNode clientNode = awayFromTheLeader(nodes, swarm);
            progress.println("agent-mesh: one member per node, clients on " + Cluster.get(clientNode.system()).selfMember().address()
                    + ", which does not host the leader");
            MeshMemory memory = clientNode.mesh().memory();
            BiFunction<Integer, Long, CompletionStage<?>> store = (client, seq) -> memory.store(swarm, "bench",
                    "k" + client, TextNode.valueOf(payload), Duration.ZERO);
            warmUps.add(warmUp("agent-mesh", durable, o, store, progress));
            for (int clients : o.clients()) {
                RaftMember.RaftStatus before = memory.raftStatus(swarm).toCompletableFuture().get(10, TimeUnit.SECONDS);
                Cell c = measure("agent-mesh", durable, clients, o, store);
                RaftMember.RaftStatus after = memory.raftStatus(swarm).toCompletableFuture().get(10, TimeUnit.SECONDS);
                // how well the leader batches: entries committed per write of its own log
                progress.printf(Locale.ROOT, "%s  (leader: %.1f entries per log write)%n", format(c),
                        after.member().equals(before.member()) && after.journalWrites() > before.journalWrites()
                                ? (after.commitIndex() - before.commitIndex()) / (double) (after.journalWrites() - before.journalWrites())
                                : Double.NaN);
                cells.add(c);
            }
        } finally {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
            deleteQuietly(dir);
        }
    }

    /**
     * A 3-agent swarm whose agents (the Raft group's three voters) live on three different nodes, as Ratis's three
     * servers do: agents are placed by hash, so swarms are created until one is spread (two members on one node would
     * skip the wire between them, and the result would depend on the placement).
     */
    private static String swarmWithOneMemberPerNode(List<MeshNode> nodes) throws Exception {
        // placement by hash may give one node a small share of the agents, and then few swarms spread: 20 tries once
        // ran out (a full bench run lost its in-memory half)
        for (int attempt = 0; attempt < SPREAD_ATTEMPTS; attempt++) {
            String id = "bench-" + attempt;
            nodes.get(0).mesh().createSwarm(SwarmRequest.of(id, 3)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            java.util.Set<String> hosts = new java.util.HashSet<>();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                var agents = nodes.get(0).mesh().health(id).toCompletableFuture().join().agents();
                hosts.clear();
                agents.forEach(r -> hosts.add(r.node()));
                return agents.size() == 3;
            });
            if (hosts.size() == 3) {
                return id;
            }
            nodes.get(0).mesh().shutdownSwarm(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        throw new IllegalStateException("no swarm of 3 agents was spread over the 3 nodes in " + SPREAD_ATTEMPTS + " tries");
    }

    /**
     * A node that does not host the leader member: its requests cross loopback to the leader and back, as a Ratis
     * client's do. (From the leader's own node they would skip the wire, and the result would depend on where the
     * election happened to put the leader.)
     */
    private static MeshNode awayFromTheLeader(List<MeshNode> nodes, String swarm) throws Exception {
        String leader = nodes.get(0).mesh().memory().raftStatus(swarm).toCompletableFuture().get(10, TimeUnit.SECONDS).leader();
        var health = nodes.get(0).mesh().health(swarm).toCompletableFuture().get(10, TimeUnit.SECONDS);
        String leaderNode = health.agents().stream().filter(r -> r.agentId().equals(leader)).map(r -> r.node())
                .findFirst().orElseThrow(() -> new IllegalStateException("no agent " + leader + " in " + health.agents()));
        return nodes.stream().filter(n -> !leaderNode.equals(Cluster.get(n.system()).selfMember().address().hostPort()))
                .findFirst().orElseThrow();
    }

    /**
     * Three nodes on loopback, each with its own journal (an H2 file under {@code dir/node-i}), as each Ratis server
     * has its own log directory: sharing one database would make the three members queue for one file.
     */
    private static List<MeshNode> startNodes(Path dir, Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(MeshTestCluster.testOverrides());
        all.putAll(config);
        List<MeshNode> nodes = new ArrayList<>();
        int seedPort = MeshTestCluster.freePort();
        for (int i = 0; i < 3; i++) {
            nodes.add(MeshNode.start(NodeSettings.defaults()
                    .withPort(i == 0 ? seedPort : MeshTestCluster.freePort())
                    .withHttpPort(0)
                    .withSeeds(List.of("127.0.0.1:" + seedPort))
                    .withDataDir(dir.resolve("node-" + i))
                    .withOverrides(all)));
        }
        MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> nodes.stream().allMatch(n -> {
            int up = 0;
            for (var m : Cluster.get(n.system()).state().getMembers()) {
                if (m.status() == MemberStatus.up()) {
                    up++;
                }
            }
            return up == 3;
        }));
        return nodes;
    }

    /**
     * Rounds of every client count in turn, unmeasured, for at least {@code clusterWarmupSeconds}, then until the JIT
     * was quiet ({@link #QUIET_JIT_SHARE}) in {@link #QUIET_ROUNDS} rounds in a row, for at most
     * {@code clusterWarmupMaxSeconds}: the same rule for both systems. The JIT's compile time is the JVM's
     * ({@link CompilationMXBean}), so the rule holds whatever ran before; without compile time monitoring the warm-up
     * runs {@code clusterWarmupSeconds}.
     */
    static WarmUp warmUp(String system, boolean durable, Options o, BiFunction<Integer, Long, CompletionStage<?>> op,
            PrintStream progress) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        LongSupplier compileMillis = jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit::getTotalCompilationTime : null;
        return warmUp(system, durable, o, op, progress, WARM_UP_ROUND_SECONDS, compileMillis);
    }

    /** The warm-up with rounds of {@code roundSeconds}; {@code compileMillis}: the JIT's compile time so far, null if unknown. */
    static WarmUp warmUp(String system, boolean durable, Options o, BiFunction<Integer, Long, CompletionStage<?>> op,
            PrintStream progress, double roundSeconds, LongSupplier compileMillis) throws InterruptedException {
        if (o.clusterWarmupMaxSeconds() <= 0) {
            return new WarmUp(system, durable, 0, 0, Double.NaN, false);
        }
        boolean monitored = compileMillis != null;
        double each = roundSeconds / o.clients().size();
        Options unmeasured = new Options(o.clients(), o.durable(), o.systems(), each, 0, 0, 0, o.payloadBytes());
        long start = System.nanoTime();
        long ops = 0;
        int quietRounds = 0;
        while (true) {
            long compiledBefore = monitored ? compileMillis.getAsLong() : 0;
            long roundStart = System.nanoTime();
            for (int clients : o.clients()) {
                ops += measure(system, durable, clients, unmeasured, op).commits();
            }
            long now = System.nanoTime();
            double share = monitored ? (compileMillis.getAsLong() - compiledBefore) * 1e6 / (now - roundStart) : Double.NaN;
            double elapsed = (now - start) / 1e9;
            quietRounds = share < QUIET_JIT_SHARE ? quietRounds + 1 : 0;
            progress.printf(Locale.ROOT, "%s durable=%s: warm-up %.0f s, %d operations, JIT compiling %s of the last round%n",
                    system, durable, elapsed, ops, monitored ? String.format(Locale.ROOT, "%.0f%%", 100 * share) : "(not monitored)");
            boolean quiet = quietRounds >= QUIET_ROUNDS;
            if ((elapsed >= o.clusterWarmupSeconds() && (quiet || !monitored)) || elapsed >= o.clusterWarmupMaxSeconds()) {
                return new WarmUp(system, durable, elapsed, ops, share, quiet);
            }
        }
    }

    /** {@code clients} closed loops: each sends its next operation when the previous one is answered. */
    static Cell measure(String system, boolean durable, int clients, Options o,
            BiFunction<Integer, Long, CompletionStage<?>> op) throws InterruptedException {
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong failures = new AtomicLong();
        ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            loop(c, 0, op, running, measuring, latencies, failures, done);
        }
        Thread.sleep((long) (o.warmupSeconds() * 1000));
        long start = System.nanoTime();
        measuring.set(true);
        Thread.sleep((long) (o.seconds() * 1000));
        measuring.set(false);
        long elapsed = System.nanoTime() - start;
        running.set(false);
        try {
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a loop stuck on a lost request does not invalidate what was measured
        }
        long[] all = latencies.stream().mapToLong(l -> l[0]).toArray();
        Arrays.sort(all);
        double seconds = elapsed / 1e9;
        return new Cell(system, durable, clients, all.length, all.length / seconds, percentile(all, 0.50),
                percentile(all, 0.99), failures.get());
    }

    private static void loop(int client, long seq, BiFunction<Integer, Long, CompletionStage<?>> op, AtomicBoolean running,
            AtomicBoolean measuring, ConcurrentLinkedQueue<long[]> latencies, AtomicLong failures, CompletableFuture<Void> done) {
        if (!running.get()) {
            done.complete(null);
            return;
        }
        long t0 = System.nanoTime();
        boolean counted = measuring.get();
        op.apply(client, seq).whenComplete((r, e) -> {
            long t = System.nanoTime() - t0;
            if (e != null) {
                failures.incrementAndGet();
            } else if (counted && measuring.get()) {
                latencies.add(new long[] {t});
            }
            loop(client, seq + 1, op, running, measuring, latencies, failures, done);
        });
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static String format(Cell c) {
        return String.format(Locale.ROOT, "%-10s durable=%-5s clients=%3d  %9.0f commits/s  p50 %7.2f ms  p99 %7.2f ms  (%d failures)",
                c.system(), c.durable(), c.clients(), c.commitsPerSecond(), c.p50Millis(), c.p99Millis(), c.failures());
    }

    /** The comparison table: one row per (durability, clients), ours next to Ratis with the ratio ours/Ratis. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %7s | %12s %9s %9s | %12s %9s %9s | %8s %8s %8s%n",
                "durable", "clients", "ours c/s", "p50 ms", "p99 ms", "ratis c/s", "p50 ms", "p99 ms",
                "c/s x", "p50 x", "p99 x"));
        for (Cell ours : r.cells()) {
            if (!ours.system().equals("agent-mesh")) {
                continue;
            }
            Cell ratis = r.cells().stream().filter(c -> c.system().equals("ratis") && c.durable() == ours.durable()
                    && c.clients() == ours.clients()).findFirst().orElse(null);
            if (ratis == null) {
                sb.append(String.format(Locale.ROOT, "%-8s %7d | %12.0f %9.2f %9.2f | %12s %9s %9s | %8s %8s %8s%n",
                        ours.durable() ? "on" : "off", ours.clients(),
                        ours.commitsPerSecond(), ours.p50Millis(), ours.p99Millis(), "-", "-", "-", "-", "-", "-"));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "%-8s %7d | %12.0f %9.2f %9.2f | %12.0f %9.2f %9.2f | %8.2f %8.2f %8.2f%n",
                    ours.durable() ? "on" : "off", ours.clients(),
                    ours.commitsPerSecond(), ours.p50Millis(), ours.p99Millis(),
                    ratis.commitsPerSecond(), ratis.p50Millis(), ratis.p99Millis(),
                    ours.commitsPerSecond() / ratis.commitsPerSecond(), ours.p50Millis() / ratis.p50Millis(),
                    ours.p99Millis() / ratis.p99Millis()));
        }
        sb.append("ratios are ours/Ratis: c/s above 1 and latency below 1 mean ours is ahead");
        for (WarmUp w : r.warmUps()) {
            if (w.seconds() == 0) {
                sb.append(String.format(Locale.ROOT, "%nno warm-up of %s, durable %s", w.system(), w.durable() ? "on" : "off"));
                continue;
            }
            // NaN: a JVM without compile time monitoring, where the warm-up ran its minimum
            boolean monitored = !Double.isNaN(w.lastRoundJitShare());
            sb.append(String.format(Locale.ROOT, "%nwarm-up of %s, durable %s: %.0f s, %d operations, %s%s",
                    w.system(), w.durable() ? "on" : "off", w.seconds(), w.operations(),
                    monitored ? String.format(Locale.ROOT, "JIT %.0f%% in the last round", 100 * w.lastRoundJitShare())
                            : "JIT not monitored",
                    w.quiet() || !monitored ? "" : " (not quiet: stopped at --cluster-warmup-max)"));
        }
        return sb.toString();
    }

    public static Path writeJson(Result r, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        mapper.writeValue(file.toFile(), r);
        return file;
    }

    static Result readJson(Path file) throws IOException {
        return JsonMapper.builder().build().readValue(file.toFile(), Result.class);
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temp dir left behind is harmless
        }
    }
}

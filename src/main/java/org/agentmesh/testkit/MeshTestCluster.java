package org.agentmesh.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.agentmesh.node.MeshNode;
import org.agentmesh.node.NodeSettings;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * N Agent Mesh nodes in one JVM, on free loopback ports, sharing one journal (an H2 file in a temp directory):
 * a multi-node test bed for JUnit 5 tests, yours included.
 *
 * <pre>{@code
 * try (MeshTestCluster cluster = MeshTestCluster.start(3)) {
 *     AgentMesh mesh = cluster.node(0).mesh();
 *     mesh.createSwarm(SwarmRequest.of("s", 12)).toCompletableFuture().join();
 *     cluster.crash(2);                      // abrupt: no leaving, the others must detect and down it
 *     cluster.awaitUntil(Duration.ofSeconds(30), () -> ...);
 *     cluster.restart(2);                    // same port, same journal, a new incarnation
 * }
 * }</pre>
 *
 * Failure detection and the split brain resolver are tuned for tests (heartbeat 200 ms, acceptable pause 1 s,
 * stable-after 2 s), and every message is serialized even between local actors
 * ({@code pekko.actor.serialize-messages = on}) so a message that cannot cross the wire fails here.
 */
public final class MeshTestCluster implements AutoCloseable {

    /** Config every test node gets on top of the node defaults. */
    public static Map<String, Object> testOverrides() {
        Map<String, Object> o = new HashMap<>();
        o.put("pekko.actor.serialize-messages", "on");
        o.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
        o.put("pekko.cluster.failure-detector.heartbeat-interval", "200ms");
        o.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause", "1s");
        o.put("pekko.cluster.split-brain-resolver.stable-after", "2s");
        o.put("pekko.cluster.down-removal-margin", "1s");
        o.put("pekko.cluster.sharding.retry-interval", "200ms");
        o.put("pekko.cluster.sharding.waiting-for-state-timeout", "1s");
        o.put("pekko.cluster.sharding.updating-state-timeout", "2s");
        o.put("pekko.cluster.sharding.entity-restart-backoff", "1s");
        o.put("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
        // terminate() then stops a node without leaving the cluster: that is how crash() simulates a crash
        o.put("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off");
        o.put("pekko.coordinated-shutdown.terminate-actor-system", "on");
        o.put("pekko.loglevel", "WARNING");
        return o;
    }

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int[] ports;
    private final MeshNode[] nodes;
    private final Map<String, Object> overrides;
    private final Path configFile;

    private MeshTestCluster(Path dataDir, boolean ownsDataDir, int size, Map<String, Object> overrides, Path configFile) {
        this.configFile = configFile;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.ports = new int[size];
        this.nodes = new MeshNode[size];
        this.overrides = overrides;
        for (int i = 0; i < size; i++) {
            ports[i] = freePort();
        }
    }

    /** Starts {@code size} nodes (node 0 is the seed) and waits until all are Up. */
    public static MeshTestCluster start(int size) {
        return start(size, Map.of());
    }

    /** As {@link #start(int)}, with extra config keys for every node. */
    public static MeshTestCluster start(int size, Map<String, Object> extraConfig) {
        Path dir;
        try {
            dir = Files.createTempDirectory("agent-mesh-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(size, dir, true, null, extraConfig);
    }

    /** Starts a cluster whose journal lives in {@code dataDir}, which is kept on close (to start again from it). */
    public static MeshTestCluster start(int size, Path dataDir, Map<String, Object> extraConfig) {
        return start(size, dataDir, false, null, extraConfig);
    }

    /**
     * Starts a cluster whose nodes also load {@code configFile} (as {@code --config} does), e.g. {@code config/postgres.conf}
     * to run against PostgreSQL. {@code dataDir} is kept on close.
     */
    public static MeshTestCluster start(int size, Path dataDir, Path configFile, Map<String, Object> extraConfig) {
        return start(size, dataDir, false, configFile, extraConfig);
    }

    private static MeshTestCluster start(int size, Path dataDir, boolean owns, Path configFile, Map<String, Object> extraConfig) {
        Map<String, Object> all = new HashMap<>(testOverrides());
        all.putAll(extraConfig);
        MeshTestCluster cluster = new MeshTestCluster(dataDir, owns, size, all, configFile);
        try {
            for (int i = 0; i < size; i++) {
                cluster.nodes[i] = cluster.startNode(i, List.of("127.0.0.1:" + cluster.ports[0]));
            }
            cluster.awaitUp(size, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private MeshNode startNode(int i, List<String> seeds) {
        NodeSettings settings = NodeSettings.defaults()
                .withPort(ports[i])
                .withHttpPort(0)
                .withSeeds(seeds)
                .withDataDir(dataDir)
                .withOverrides(overrides);
        if (configFile != null) {
            settings = settings.withConfigFile(configFile);
        }
        return MeshNode.start(settings);
    }

    public int size() {
        return nodes.length;
    }

    /** Ids of the entities of {@code type} that live node {@code i} runs now (Cluster Sharding's region state). */
    public Set<String> entityIds(int i, EntityTypeKey<?> type) {
        var system = node(i).system();
        ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(type, replyTo),
                Duration.ofSeconds(10), system.scheduler()).toCompletableFuture().join();
        Set<String> ids = new TreeSet<>();
        state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
        return ids;
    }

    /**
     * Whether node {@code i} runs the swarm directory ({@code SwarmRegistry}) or swarm {@code swarmId}'s own entity
     * ({@code SwarmEntity}). Until the split brain resolver downs a crashed node that does, sharding cannot reach them,
     * so that swarm's routing, re-dispatch and task reads wait for the resolver (see the README's failure section).
     */
    public boolean hostsDirectoryOf(int i, String swarmId) {
        return !entityIds(i, org.agentmesh.swarm.SwarmRegistry.TYPE_KEY).isEmpty()
                || entityIds(i, org.agentmesh.swarm.SwarmEntity.TYPE_KEY).contains(swarmId);
    }

    /**
     * A node whose crash the failure detectors alone must recover from: of {@code candidates}, those not hosting the
     * swarm's directory ({@link #hostsDirectoryOf}), the one {@link #hostingAMinority} picks; -1 if none qualifies.
     */
    public int crashableWithoutTheResolver(org.agentmesh.swarm.SwarmHealth health, String swarmId, int... candidates) {
        return hostingAMinority(health, java.util.Arrays.stream(candidates).filter(i -> !hostsDirectoryOf(i, swarmId)).toArray());
    }

    /** A swarm whose hash placement fitted a test ({@link #placeSwarm}), its health then, and the node the test picked. */
    public record Placement(String swarmId, org.agentmesh.swarm.SwarmHealth health, int victim) {}

    /** What a test asks of a placement: the node it picks in swarm {@code swarmId}, or -1 if none fits. */
    @FunctionalInterface
    public interface Pick {
        int victim(String swarmId, org.agentmesh.swarm.SwarmHealth health);
    }

    /**
     * Agents, and so their Raft members and detectors, are placed by hash: creates swarms {@code prefix-0},
     * {@code prefix-1}, ... of {@code agents} agents through node 0, each awaited until every agent knows every other,
     * until {@code pick} picks a node in one, shutting down each that does not fit. Prints every placement tried; fails
     * with all of them after {@code attempts}.
     */
    public Placement placeSwarm(String prefix, int agents, int attempts, Pick pick) {
        org.agentmesh.swarm.AgentMesh mesh = node(0).mesh();
        List<String> tried = new ArrayList<>();
        for (int attempt = 0; attempt < attempts; attempt++) {
            String id = prefix + "-" + attempt;
            mesh.createSwarm(org.agentmesh.swarm.SwarmRequest.of(id, agents)).toCompletableFuture().join();
            awaitUntil(Duration.ofSeconds(60), () -> {
                org.agentmesh.swarm.SwarmHealth h = mesh.health(id).toCompletableFuture().join();
                return h.agents().size() == agents && h.agents().stream().allMatch(r -> r.known() == agents);
            });
            org.agentmesh.swarm.SwarmHealth health = mesh.health(id).toCompletableFuture().join();
            int victim = pick.victim(id, health);
            StringBuilder placed = new StringBuilder(id).append(':');
            for (int i = 0; i < nodes.length; i++) {
                if (isRunning(i)) {
                    placed.append(" node ").append(i).append(' ').append(agentsOn(health, i))
                            .append(hostsDirectoryOf(i, id) ? " + directory" : "");
                }
            }
            tried.add(placed.toString());
            if (victim >= 0) {
                System.out.printf("placements tried: %s; victim node %d%n", tried, victim);
                return new Placement(id, health, victim);
            }
            mesh.shutdownSwarm(id).toCompletableFuture().join();
        }
        throw new AssertionError("no placement of " + attempts + " swarms fitted: " + tried);
    }

    /** The live node {@code i}; fails if it is crashed. */
    public MeshNode node(int i) {
        if (nodes[i] == null) {
            throw new IllegalStateException("node " + i + " is not running");
        }
        return nodes[i];
    }

    public boolean isRunning(int i) {
        return nodes[i] != null;
    }

    /** {@code host:port} of node {@code i}, as agents report their node. */
    public String address(int i) {
        return "127.0.0.1:" + ports[i];
    }

    /**
     * Of {@code candidates}, the node hosting fewest of {@code health}'s agents among those hosting at least one and
     * fewer than half of them, so that its crash leaves the other agents a majority; -1 if none does.
     */
    public int hostingAMinority(org.agentmesh.swarm.SwarmHealth health, int... candidates) {
        int best = -1;
        int bestHosted = Integer.MAX_VALUE;
        for (int i : candidates) {
            int hosted = agentsOn(health, i).size();
            if (hosted >= 1 && 2 * hosted < health.agents().size() && hosted < bestHosted) {
                best = i;
                bestHosted = hosted;
            }
        }
        return best;
    }

    /** The agents that {@code health} places on node {@code i}. */
    public java.util.SortedSet<String> agentsOn(org.agentmesh.swarm.SwarmHealth health, int i) {
        java.util.SortedSet<String> on = new java.util.TreeSet<>();
        health.agents().forEach(r -> {
            if (r.node().endsWith(address(i))) {
                on.add(r.agentId());
            }
        });
        return on;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Waits until every running node sees {@code count} Up members. */
    public void awaitUp(int count, Duration timeout) {
        awaitUntil(timeout, () -> runningNodes().stream().allMatch(n -> {
            var members = Cluster.get(n.system()).state().getMembers();
            int up = 0;
            for (var m : members) {
                if (m.status() == MemberStatus.up()) {
                    up++;
                }
            }
            return up == count;
        }));
    }

    public List<MeshNode> runningNodes() {
        List<MeshNode> live = new ArrayList<>();
        for (MeshNode n : nodes) {
            if (n != null) {
                live.add(n);
            }
        }
        return live;
    }

    /**
     * Crashes node {@code i}: its actor system stops without leaving the cluster (no CoordinatedShutdown cluster phases),
     * so the other nodes must notice it is unreachable and the split brain resolver must down it, as after a real crash.
     */
    public void crash(int i) {
        MeshNode n = node(i);
        nodes[i] = null;
        // terminate() without the coordinated-shutdown phases that would make the node leave gracefully
        n.system().classicSystem().terminate();
        try {
            n.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node " + i + " did not stop", e);
        }
    }

    /** Starts node {@code i} again on its old port and journal, joining through the running nodes. */
    public MeshNode restart(int i) {
        if (nodes[i] != null) {
            throw new IllegalStateException("node " + i + " is running");
        }
        List<String> seeds = new ArrayList<>();
        for (int j = 0; j < nodes.length; j++) {
            if (nodes[j] != null) {
                seeds.add("127.0.0.1:" + ports[j]);
            }
        }
        if (seeds.isEmpty()) {
            seeds.add("127.0.0.1:" + ports[i]);
        }
        nodes[i] = startNode(i, seeds);
        return nodes[i];
    }

    private final java.util.Set<List<Integer>> blackholed = new java.util.HashSet<>();

    /**
     * Drops all traffic, both ways, between every node of {@code sideA} and every node of {@code sideB} (Artery test
     * mode blackhole: the start overrides must include {@code pekko.remote.artery.advanced.test-mode = on}, see
     * {@link #partitionOverrides()}). Each side then sees the other unreachable. Pekko's split brain resolver
     * (keep-majority) downs the smaller side after {@code stable-after}; those nodes shut down, and
     * {@link #restartDowned} brings them back as new incarnations after {@link #heal}.
     */
    public void partition(java.util.Set<Integer> sideA, java.util.Set<Integer> sideB) {
        for (int a : sideA) {
            for (int b : sideB) {
                throttle(a, b, true);
                throttle(b, a, true);
                blackholed.add(List.of(a, b));
            }
        }
    }

    /** Lets traffic flow again between every pair {@link #partition} cut (between nodes still running). */
    public void heal() {
        for (List<Integer> pair : blackholed) {
            throttle(pair.get(0), pair.get(1), false);
            throttle(pair.get(1), pair.get(0), false);
        }
        blackholed.clear();
    }

    /** Config to start a cluster that can be partitioned. */
    public static Map<String, Object> partitionOverrides() {
        return Map.of("pekko.remote.artery.advanced.test-mode", "on");
    }

    /** Whether node {@code i} was started and has since shut itself down (downed by the split brain resolver). */
    public boolean isDowned(int i) {
        return nodes[i] != null && nodes[i].system().whenTerminated().isCompleted();
    }

    /** Restarts every node that was downed (see {@link #isDowned}); returns their indexes. */
    public List<Integer> restartDowned() {
        List<Integer> restarted = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            if (isDowned(i)) {
                MeshNode old = nodes[i];
                nodes[i] = null;
                old.close();
                restart(i);
                restarted.add(i);
            }
        }
        return restarted;
    }

    @SuppressWarnings("deprecation") // Artery test mode is internal API; kept here so nothing else depends on it
    private void throttle(int from, int to, boolean blackhole) {
        if (nodes[from] == null || isDowned(from)) {
            return;
        }
        var classic = (org.apache.pekko.actor.ExtendedActorSystem) nodes[from].system().classicSystem();
        var provider = (org.apache.pekko.remote.RemoteActorRefProvider) classic.provider();
        var address = new org.apache.pekko.actor.Address("pekko", classic.name(), "127.0.0.1", ports[to]);
        var mode = blackhole ? org.apache.pekko.remote.transport.ThrottlerTransportAdapter.blackholeThrottleMode()
                : org.apache.pekko.remote.transport.ThrottlerTransportAdapter.unthrottledThrottleMode();
        try {
            provider.transport().managementCommand(new org.apache.pekko.remote.transport.ThrottlerTransportAdapter.SetThrottle(
                    address, org.apache.pekko.remote.transport.ThrottlerTransportAdapter.bothDirection(), mode));
            // completes at once in test mode; the throttle applies to new and existing associations
        } catch (Exception e) {
            throw new IllegalStateException("could not " + (blackhole ? "blackhole" : "heal") + " " + from + " -> " + to, e);
        }
    }

    /** Polls {@code condition} every 100 ms until it holds; fails with an {@link AssertionError} after {@code timeout}. */
    public static void awaitUntil(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** {@link Thread#sleep} for tests and benchmarks: an interrupt ends it with an {@link IllegalStateException}. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Gracefully stops every running node (in reverse order) and deletes the journal if this cluster created it. */
    @Override
    public void close() {
        for (int i = nodes.length - 1; i >= 0; i--) {
            if (nodes[i] != null) {
                nodes[i].close();
                nodes[i] = null;
            }
        }
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP port free on this machine right now (for a node's Artery or HTTP binding). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

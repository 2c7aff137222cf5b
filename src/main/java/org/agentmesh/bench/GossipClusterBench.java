package org.agentmesh.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.agentmesh.gossip.GossipMember;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.ReplicatorSettings;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * On a real in-JVM cluster ({@link MeshTestCluster}: N nodes on loopback, Artery, sharding), the time for one update
 * to reach every agent: by our gossip (a capability change at one agent until every agent's gossip view holds it) and
 * by Pekko Distributed Data (an {@code LWWMap} updated with {@code WriteLocal} at one node until every node's local
 * replica holds it; agents read their node's replica, so reaching every node is reaching every agent), both with the
 * same gossip interval. Distributed Data runs twice: as configured by default (delta propagation on, which pushes
 * deltas every interval / 5, at least 200 ms) and with {@code delta-crdt.enabled = off} (full-state gossip only).
 *
 * <p>Each update starts at a random phase of the interval; completion is polled every 2 ms from the node-local
 * views (ours) or {@code Get(ReadLocal)} on each node's replicator (Distributed Data).
 */
public final class GossipClusterBench {

    /** One way of spreading an update; times in milliseconds, NaN for an update that did not arrive in time. */
    public record Row(String system, int nodes, int agents, long intervalMillis, int updates, int arrived, double minMillis,
            double medianMillis, double maxMillis, double medianRounds, List<Double> samplesMillis) {}

    private static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("bench-capabilities");

    private GossipClusterBench() {}

    public static List<Row> run(int nodes, int agents, Duration interval, int updates) {
        Map<String, Object> config = new HashMap<>();
        config.put("agent-mesh.gossip.interval", interval.toMillis() + "ms");
        config.put("pekko.cluster.distributed-data.gossip-interval", interval.toMillis() + "ms");
        // a benchmark measures the wire as deployed: no extra serialization of local messages
        config.put("pekko.actor.serialize-messages", "off");
        config.put("pekko.loglevel", "ERROR");
        List<Row> rows = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(42);
        long timeoutMillis = 40 * interval.toMillis();
        try (MeshTestCluster cluster = MeshTestCluster.start(nodes, config)) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("bench", agents)).toCompletableFuture().join();
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= agents; i++) {
                ids.add("agent-" + i);
            }
            MeshTestCluster.awaitUntil(Duration.ofSeconds(120), () -> ids.stream().allMatch(id ->
                    localView(cluster, id).map(v -> v.stats().livePeers() == agents).orElse(false)));

            List<Double> ours = new ArrayList<>();
            for (int u = 0; u < updates; u++) {
                String agent = ids.get((u * 5) % agents);
                String capability = "bench-" + u;
                pause(random, interval);
                long start = System.nanoTime();
                mesh.setCapabilities("bench", agent, List.of("general", capability)).toCompletableFuture().join();
                ours.add(until(start, timeoutMillis, () -> ids.stream().allMatch(id -> localView(cluster, id)
                        .flatMap(v -> v.peers().stream().filter(p -> p.peerId().equals(agent)).findFirst())
                        .map(e -> e.capabilities().contains(capability)).orElse(false))));
            }
            rows.add(row("agent-mesh gossip (fanout 3)", nodes, agents, interval, ours));

            List<ActorRef<Replicator.Command>> defaults = new ArrayList<>();
            List<ActorRef<Replicator.Command>> fullState = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                ActorSystem<Void> system = cluster.node(i).system();
                defaults.add(DistributedData.get(system).replicator());
                ReplicatorSettings settings = ReplicatorSettings.apply(system.settings().config()
                        .getConfig("pekko.cluster.distributed-data")
                        .withValue("delta-crdt.enabled", com.typesafe.config.ConfigValueFactory.fromAnyRef(false)));
                fullState.add(system.systemActorOf(Replicator.behavior(settings), "benchFullStateReplicator", Props.empty()));
            }
            rows.add(row("pekko ddata LWWMap WriteLocal (deltas on)", nodes, agents, interval,
                    ddata(cluster, defaults, ids, interval, updates, random, timeoutMillis)));
            rows.add(row("pekko ddata LWWMap WriteLocal (deltas off)", nodes, agents, interval,
                    ddata(cluster, fullState, ids, interval, updates, random, timeoutMillis)));
        }
        return rows;
    }

    private static List<Double> ddata(MeshTestCluster cluster, List<ActorRef<Replicator.Command>> replicators, List<String> ids,
            Duration interval, int updates, SplittableRandom random, long timeoutMillis) {
        List<Double> samples = new ArrayList<>();
        int nodes = replicators.size();
        // let the replicators see each other's membership before measuring
        MeshTestCluster.sleep(2 * interval.toMillis() + 500);
        for (int u = 0; u < updates; u++) {
            int writer = u % nodes;
            String agent = ids.get((u * 5) % ids.size());
            String value = "bench-" + u;
            ActorSystem<Void> system = cluster.node(writer).system();
            SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
            pause(random, interval);
            long start = System.nanoTime();
            AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, String>>>ask(replicators.get(writer),
                    replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
                            m -> m.put(self, agent, value)), Duration.ofSeconds(5), system.scheduler())
                    .toCompletableFuture().join();
            samples.add(until(start, timeoutMillis, () -> {
                for (int i = 0; i < nodes; i++) {
                    if (!value.equals(read(cluster.node(i).system(), replicators.get(i), agent))) {
                        return false;
                    }
                }
                return true;
            }));
        }
        return samples;
    }

    private static String read(ActorSystem<Void> system, ActorRef<Replicator.Command> replicator, String agent) {
        CompletionStage<Replicator.GetResponse<LWWMap<String, String>>> reply = AskPattern.ask(replicator,
                replyTo -> new Replicator.Get<>(KEY, Replicator.readLocal(), replyTo), Duration.ofSeconds(5), system.scheduler());
        Replicator.GetResponse<LWWMap<String, String>> r = reply.toCompletableFuture().join();
        if (r instanceof Replicator.GetSuccess<LWWMap<String, String>> ok) {
            return ok.get(KEY).getEntries().getOrDefault(agent, "");
        }
        return "";
    }

    private static Optional<GossipMember.View> localView(MeshTestCluster cluster, String agentId) {
        for (int i = 0; i < cluster.size(); i++) {
            Optional<GossipMember.View> v = cluster.node(i).mesh().gossipViews().local("bench", agentId);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    /** Polls every 2 ms; milliseconds from {@code startNanos} until the condition held, NaN after the timeout. */
    private static double until(long startNanos, long timeoutMillis, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if ((System.nanoTime() - startNanos) / 1e6 > timeoutMillis) {
                return Double.NaN;
            }
            MeshTestCluster.sleep(2);
        }
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static void pause(SplittableRandom random, Duration interval) {
        MeshTestCluster.sleep(interval.toMillis() + random.nextLong(interval.toMillis()));
    }

    private static Row row(String system, int nodes, int agents, Duration interval, List<Double> samples) {
        List<Double> arrived = new ArrayList<>(samples.stream().filter(d -> !d.isNaN()).toList());
        Collections.sort(arrived);
        double median = arrived.isEmpty() ? Double.NaN : arrived.get(arrived.size() / 2);
        return new Row(system, nodes, agents, interval.toMillis(), samples.size(), arrived.size(),
                arrived.isEmpty() ? Double.NaN : arrived.get(0), median,
                arrived.isEmpty() ? Double.NaN : arrived.get(arrived.size() - 1), median / interval.toMillis(), samples);
    }

    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-44s %5s %6s %8s %9s %22s %9s%n", "system", "nodes", "agents", "interval", "arrived",
                "ms min/median/max", "rounds"));
        for (Row r : rows) {
            b.append(String.format("%-44s %5d %6d %6d ms %4d/%-4d %22s %9.2f%n", r.system(), r.nodes(), r.agents(),
                    r.intervalMillis(), r.arrived(), r.updates(),
                    String.format("%.0f/%.0f/%.0f", r.minMillis(), r.medianMillis(), r.maxMillis()), r.medianRounds()));
        }
        return b.toString();
    }
}

package org.agentmesh.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;
import org.agentmesh.gossip.GossipConfig;
import org.agentmesh.gossip.GossipCore;
import org.agentmesh.gossip.GossipInput;
import org.agentmesh.gossip.GossipMessage;
import org.agentmesh.gossip.GossipOutput;
import org.agentmesh.gossip.MeshOverlay;
import org.agentmesh.gossip.PeerEntry;
import org.agentmesh.gossip.PeerStatus;
import org.agentmesh.gossip.Rumor;
import org.agentmesh.sim.NetworkConditions;
import org.agentmesh.sim.SimNetwork;
import org.agentmesh.sim.Simulation;

/**
 * N gossip cores wired to a {@link SimNetwork}: the shell the actor will be, minus the actor. Used by the simulation
 * tests and by {@link GossipSimulationBench}. Everything is a function of the seed.
 *
 * <p>It records what the tests check: rumor deliveries per peer (to catch a second delivery), rumor sends per peer
 * (to check the retransmit bound), and view changes.
 */
public final class GossipSimCluster {

    private final Simulation sim;
    private final SimNetwork<GossipMessage> net;
    private final GossipConfig config;
    private final List<String> ids;
    private final List<String> seeds;
    private final Map<String, GossipCore> cores = new HashMap<>();
    private final Map<String, Long> timerGeneration = new HashMap<>();
    /** peer -> rumor id -> times delivered to that peer's application. */
    private final Map<String, Map<String, Integer>> deliveries = new HashMap<>();
    /** peer -> rumor id -> messages carrying it that the peer sent. */
    private final Map<String, Map<String, Integer>> rumorSends = new HashMap<>();
    private long viewChanges;
    private boolean trackRumorSends;

    public GossipSimCluster(long seed, int n, int seedCount, GossipConfig config, NetworkConditions conditions) {
        this(seed, n, seedCount, config, conditions, m -> 0);
    }

    public GossipSimCluster(long seed, int n, int seedCount, GossipConfig config, NetworkConditions conditions,
                            ToIntFunction<GossipMessage> sizeOf) {
        this.sim = new Simulation(seed);
        this.config = config;
        this.net = new SimNetwork<>(sim, conditions, this::deliver, sizeOf);
        int width = Integer.toString(Math.max(1, n - 1)).length();
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add("p" + String.format("%0" + width + "d", i));
        }
        this.ids = Collections.unmodifiableList(list);
        this.seeds = List.copyOf(list.subList(0, Math.min(seedCount, n)));
        for (String id : ids) {
            cores.put(id, newCore(id));
        }
    }

    private GossipCore newCore(String id) {
        return new GossipCore(id, seeds, config, new SplittableRandom(sim.random().nextLong()));
    }

    /** Starts every peer at a random instant within {@code spreadMillis}, as a swarm started by hand would. */
    public void startAll(long spreadMillis) {
        for (String id : ids) {
            long at = spreadMillis <= 0 ? 0 : sim.random().nextLong(spreadMillis);
            sim.schedule(at, () -> input(id, GossipInput.Start.blank()));
        }
    }

    /**
     * Starts every peer at time 0 from a snapshot of the converged swarm (every peer's entry at version 1 with its
     * mesh links), as if each had bootstrapped from a seed that already knew them all: what a 10,000-peer run uses,
     * since booting 10,000 views by gossip costs O(N^2) entries however it is done.
     */
    public void startAllFromSnapshot() {
        MeshOverlay overlay = MeshOverlay.of(config);
        List<PeerEntry> snapshot = new ArrayList<>(ids.size());
        for (String id : ids) {
            snapshot.add(new PeerEntry(id, 1, 0, java.util.Collections.emptySortedSet(), 0.0, 1.0, PeerStatus.ALIVE,
                    overlay.linksOf(id, ids)));
        }
        List<PeerEntry> known = List.copyOf(snapshot);
        for (String id : ids) {
            input(id, new GossipInput.Start(Set.of(), 0.0, 1.0, known));
        }
    }

    public void start(String id) {
        input(id, GossipInput.Start.blank());
    }

    /** Feeds one input to a peer now and carries out its outputs. */
    public void input(String id, GossipInput input) {
        if (net.isCrashed(id)) {
            return;
        }
        execute(id, cores.get(id).step(input, sim.now()));
    }

    private void deliver(String from, String to, GossipMessage message) {
        GossipCore core = cores.get(to);
        if (core == null || !core.isStarted()) {
            return; // not up yet: as if nobody listened on that address
        }
        execute(to, core.step(new GossipInput.Receive(from, message), sim.now()));
    }

    private void execute(String id, List<GossipOutput> outputs) {
        for (GossipOutput o : outputs) {
            if (o instanceof GossipOutput.Send s) {
                if (trackRumorSends && !s.message().rumors().isEmpty()) {
                    Map<String, Integer> sends = rumorSends.computeIfAbsent(id, k -> new HashMap<>());
                    for (Rumor r : s.message().rumors()) {
                        sends.merge(r.id(), 1, Integer::sum);
                    }
                }
                net.send(id, s.to(), s.message());
            } else if (o instanceof GossipOutput.SetTimer t) {
                long gen = timerGeneration.merge(id, 1L, Long::sum);
                net.timer(id, t.delayMillis(), () -> {
                    if (timerGeneration.get(id) == gen) {
                        input(id, new GossipInput.Tick());
                    }
                });
            } else if (o instanceof GossipOutput.RumorDelivered d) {
                deliveries.computeIfAbsent(id, k -> new HashMap<>()).merge(d.rumor().id(), 1, Integer::sum);
            } else if (o instanceof GossipOutput.ViewChanged) {
                viewChanges++;
            }
        }
    }

    /** Crashes a peer: it loses its state, timers and in-flight messages. */
    public void crash(String id) {
        net.crash(id);
    }

    /** Restarts a crashed peer with an empty state (gossip keeps nothing durable) and starts it. */
    public void restart(String id) {
        net.restart(id);
        cores.put(id, newCore(id));
        start(id);
    }

    public boolean isCrashed(String id) {
        return net.isCrashed(id);
    }

    public Simulation sim() {
        return sim;
    }

    public SimNetwork<GossipMessage> network() {
        return net;
    }

    public GossipConfig config() {
        return config;
    }

    public List<String> ids() {
        return ids;
    }

    public List<String> seeds() {
        return seeds;
    }

    public List<String> running() {
        return ids.stream().filter(id -> !net.isCrashed(id)).toList();
    }

    public GossipCore core(String id) {
        return cores.get(id);
    }

    public void runRounds(double rounds) {
        sim.runFor(Math.round(rounds * config.intervalMillis()));
    }

    /** Times the application of {@code peer} saw each rumor. */
    public Map<String, Integer> deliveries(String peer) {
        return deliveries.getOrDefault(peer, Map.of());
    }

    /** Starts counting, per peer, the messages carrying each rumor (off by default: it costs as much as the cores). */
    public void trackRumorSends() {
        trackRumorSends = true;
    }

    /** Messages carrying each rumor that {@code peer} sent, counted since {@link #trackRumorSends()}. */
    public Map<String, Integer> rumorSends(String peer) {
        if (!trackRumorSends) {
            throw new IllegalStateException("call trackRumorSends() first");
        }
        return rumorSends.getOrDefault(peer, Map.of());
    }

    public long viewChanges() {
        return viewChanges;
    }

    /** Whether every running peer knows every other running peer as live. */
    public boolean membershipConverged() {
        List<String> up = running();
        for (String id : up) {
            List<String> live = cores.get(id).livePeers();
            if (live.size() != up.size() || !live.equals(up)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every running peer holds {@code owner}'s entry at version {@code version} or newer. */
    public boolean allHaveAtLeast(String owner, long version) {
        for (String id : running()) {
            if (cores.get(id).versionOf(owner) < version) {
                return false;
            }
        }
        return true;
    }

    /** Each running peer's own version now, for "caught up with everyone as of this moment" checks. */
    public Map<String, Long> ownVersions() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String id : running()) {
            out.put(id, cores.get(id).selfEntry().version());
        }
        return out;
    }

    /** Running peers that lack some owner's entry at the given version; empty when caught up. */
    public List<String> lagging(Map<String, Long> versions) {
        List<String> out = new ArrayList<>();
        for (String id : running()) {
            GossipCore core = cores.get(id);
            for (Map.Entry<String, Long> v : versions.entrySet()) {
                if (core.versionOf(v.getKey()) < v.getValue()) {
                    out.add(id);
                    break;
                }
            }
        }
        return out;
    }

    /** Unused ids are unknown; convenience for tests checking that a set of peers vanished. */
    public boolean nobodyKnows(Set<String> peers) {
        for (String id : running()) {
            for (String p : peers) {
                if (cores.get(id).entry(p).isPresent()) {
                    return false;
                }
            }
        }
        return true;
    }
}

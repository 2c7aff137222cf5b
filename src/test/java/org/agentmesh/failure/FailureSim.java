package org.agentmesh.failure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.agentmesh.failure.FailureDetectorCore.Output;
import org.agentmesh.failure.FailureDetectorCore.PeerFailed;
import org.agentmesh.failure.FailureDetectorCore.ReachabilityChanged;
import org.agentmesh.failure.FailureDetectorCore.Received;
import org.agentmesh.failure.FailureDetectorCore.Send;
import org.agentmesh.failure.FailureDetectorCore.SetTimer;
import org.agentmesh.failure.FailureDetectorCore.Tick;
import org.agentmesh.sim.NetworkConditions;
import org.agentmesh.sim.SimNetwork;
import org.agentmesh.sim.Simulation;

/**
 * A swarm of N agents, each a {@link FailureDetectorCore} feeding a {@link PartitionDetectorCore}, on a simulated
 * network: what an actor shell will do, in one thread, by seed. The overlay is a random graph in which every agent
 * has 3-5 neighbours and watches all of them (a ring first, so it is connected).
 */
final class FailureSim {

    /** A PeerFailed seen by {@code observer}. */
    record FailureSeen(String observer, PeerFailed failure) {}

    final Simulation sim;
    final SimNetwork<FailureDetectorMessage> net;
    final List<String> agents = new ArrayList<>();
    final Map<String, Set<String>> overlay = new TreeMap<>();
    final Map<String, FailureDetectorCore> detectors = new TreeMap<>();
    final Map<String, PartitionDetectorCore> partitions = new TreeMap<>();
    final List<FailureSeen> failures = new ArrayList<>();
    /** agent -> extra one-way delay range [min, max] in ms on every message it sends or receives */
    final Map<String, long[]> slow = new TreeMap<>();
    /** agent -> extra delay range [min, max] in ms on every message it receives (an overloaded receiver) */
    final Map<String, long[]> slowInbound = new TreeMap<>();
    final List<Consumer<FailureDetectorMessage>> sentWatchers = new ArrayList<>();
    private final SplittableRandom random;
    private final FailureDetectorConfig fdConfig;
    private final PartitionDetectorConfig pdConfig;

    FailureSim(long seed, int n, NetworkConditions conditions, FailureDetectorConfig fd, PartitionDetectorConfig pd) {
        this(seed, n, conditions, fd, pd, m -> 0);
    }

    /** @param sizeOf encoded size of a message, for {@code net.bytes()} */
    FailureSim(long seed, int n, NetworkConditions conditions, FailureDetectorConfig fd, PartitionDetectorConfig pd,
            java.util.function.ToIntFunction<FailureDetectorMessage> sizeOf) {
        sim = new Simulation(seed);
        fdConfig = fd;
        pdConfig = pd;
        random = new SplittableRandom(seed * 31 + 7);
        net = new SimNetwork<>(sim, conditions, (from, to, m) -> feed(to, new Received(from, m)), sizeOf);
        for (int i = 0; i < n; i++) {
            agents.add(String.format("a%02d", i));
        }
        buildOverlay();
        for (String a : agents) {
            detectors.put(a, new FailureDetectorCore(a, fd, random.split()));
            partitions.put(a, new PartitionDetectorCore(a, pd));
        }
        for (String a : agents) {
            feedPartition(a, new PartitionDetectorCore.KnownAgents(overlay.keySet()));
            feed(a, new FailureDetectorCore.OverlayChanged(overlay));
        }
    }

    /** Restarts a crashed agent with fresh cores: nothing of its failure detector state is durable. */
    void restart(String agent) {
        net.restart(agent);
        detectors.put(agent, new FailureDetectorCore(agent, fdConfig, random.split()));
        partitions.put(agent, new PartitionDetectorCore(agent, pdConfig));
        feedPartition(agent, new PartitionDetectorCore.KnownAgents(overlay.keySet()));
        feed(agent, new FailureDetectorCore.OverlayChanged(overlay));
    }

    private void buildOverlay() {
        int n = agents.size();
        for (String a : agents) {
            overlay.put(a, new TreeSet<>());
        }
        for (int i = 0; i < n; i++) {
            link(agents.get(i), agents.get((i + 1) % n));
        }
        // then random extra links until everyone has at least 3, none more than 5
        for (int attempts = 0; attempts < 100 * n; attempts++) {
            List<String> needy = agents.stream().filter(a -> overlay.get(a).size() < 3).toList();
            if (needy.isEmpty()) {
                break;
            }
            String a = needy.get(random.nextInt(needy.size()));
            String b = agents.get(random.nextInt(n));
            if (!a.equals(b) && overlay.get(b).size() < 5) {
                link(a, b);
            }
        }
    }

    private void link(String a, String b) {
        overlay.get(a).add(b);
        overlay.get(b).add(a);
    }

    void feed(String agent, FailureDetectorCore.Input input) {
        for (Output o : detectors.get(agent).step(input, sim.now())) {
            if (o instanceof Send s) {
                send(agent, s.to(), s.message());
            } else if (o instanceof SetTimer t) {
                net.timer(agent, t.atMillis() - sim.now(), () -> feed(agent, new Tick()));
            } else if (o instanceof PeerFailed f) {
                failures.add(new FailureSeen(agent, f));
            } else if (o instanceof ReachabilityChanged r) {
                feedPartition(agent, new PartitionDetectorCore.Observed(r.agent(), r.reachable()));
            }
        }
    }

    void feedPartition(String agent, PartitionDetectorCore.Input input) {
        for (PartitionDetectorCore.Output o : partitions.get(agent).step(input, sim.now())) {
            if (o instanceof PartitionDetectorCore.SetTimer t) {
                net.timer(agent, t.atMillis() - sim.now(), () -> feedPartition(agent, new PartitionDetectorCore.Tick()));
            }
        }
    }

    private void send(String from, String to, FailureDetectorMessage m) {
        for (Consumer<FailureDetectorMessage> w : sentWatchers) {
            w.accept(m);
        }
        long[] extra = slow.containsKey(from) ? slow.get(from) : slow.containsKey(to) ? slow.get(to) : slowInbound.get(to);
        if (extra == null) {
            net.send(from, to, m);
        } else {
            // a slow agent: its traffic waits (in its own queue, so a crash would lose it) before the network
            long delay = extra[0] + sim.random().nextLong(extra[1] - extra[0] + 1);
            net.timer(from, delay, () -> net.send(from, to, m));
        }
    }

    List<String> live() {
        return agents.stream().filter(a -> !net.isCrashed(a)).toList();
    }

    /** When {@code observer} first learned that {@code peer} failed, or -1. */
    long failedSeenAt(String observer, String peer) {
        for (FailureSeen f : failures) {
            if (f.observer().equals(observer) && f.failure().peer().equals(peer)) {
                return f.failure().detectedAtMillis();
            }
        }
        return -1;
    }

    /** Components of the overlay restricted to {@code group} (who can exchange heartbeats inside a partition side). */
    List<Set<String>> overlayComponents(Collection<String> group) {
        Set<String> left = new TreeSet<>(group);
        List<Set<String>> components = new ArrayList<>();
        while (!left.isEmpty()) {
            String start = left.iterator().next();
            Set<String> comp = new TreeSet<>();
            List<String> todo = new ArrayList<>(List.of(start));
            while (!todo.isEmpty()) {
                String a = todo.remove(todo.size() - 1);
                if (comp.add(a)) {
                    left.remove(a);
                    for (String b : overlay.get(a)) {
                        if (left.contains(b)) {
                            todo.add(b);
                        }
                    }
                }
            }
            components.add(comp);
        }
        return components;
    }

    long sum(java.util.function.ToLongFunction<FailureDetectorCore.Metrics> f) {
        return detectors.values().stream().mapToLong(d -> f.applyAsLong(d.metrics())).sum();
    }

    static String distribution(List<Long> values) {
        if (values.isEmpty()) {
            return "n=0";
        }
        List<Long> v = new ArrayList<>(values);
        v.sort(null);
        Map<String, Long> q = new LinkedHashMap<>();
        q.put("min", v.get(0));
        q.put("p50", v.get(v.size() / 2));
        q.put("p90", v.get(Math.min(v.size() - 1, (int) Math.ceil(v.size() * 0.9) - 1)));
        q.put("p99", v.get(Math.min(v.size() - 1, (int) Math.ceil(v.size() * 0.99) - 1)));
        q.put("max", v.get(v.size() - 1));
        return "n=" + v.size() + " " + q.toString().replace("{", "").replace("}", "") + " ms";
    }
}

package org.agentmesh.sim;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * A simulated network between named nodes on a {@link Simulation}: delays, loss, duplication, reordering,
 * partitions, and crash/restart of nodes.
 *
 * <p>Every node has an incarnation number that a crash increments. A message or timer belongs to the incarnation that
 * was current when it was sent or set; it is silently dropped if that incarnation has died by the time it is due, as a
 * real process loses its TCP connections and timers when it dies. What survives a crash (the durable state) is the
 * business of the test harness, which rebuilds the node's core on {@link #restart}.
 *
 * @param <M> the protocol's message type
 */
public final class SimNetwork<M> {

    /** Receives a message delivered to {@code to}. */
    @FunctionalInterface
    public interface Receiver<M> {
        void deliver(String from, String to, M message);
    }

    private final Simulation sim;
    private final Receiver<M> receiver;
    private final ToIntFunction<M> sizeOf;
    private NetworkConditions conditions;
    private final Map<String, Integer> incarnation = new HashMap<>();
    private final Set<String> crashed = new HashSet<>();
    /** Node id to partition group; nodes in different groups cannot talk. Empty when the network is whole. */
    private final Map<String, Integer> group = new HashMap<>();
    private boolean partitioned;

    private long sent;
    private long delivered;
    private long dropped;
    private long duplicated;
    private long bytes;

    public SimNetwork(Simulation sim, NetworkConditions conditions, Receiver<M> receiver) {
        this(sim, conditions, receiver, m -> 0);
    }

    /** @param sizeOf the encoded size of a message in bytes, to count traffic */
    public SimNetwork(Simulation sim, NetworkConditions conditions, Receiver<M> receiver, ToIntFunction<M> sizeOf) {
        this.sim = sim;
        this.conditions = conditions;
        this.receiver = receiver;
        this.sizeOf = sizeOf;
    }

    public void setConditions(NetworkConditions conditions) {
        this.conditions = conditions;
    }

    public NetworkConditions conditions() {
        return conditions;
    }

    /** Sends {@code message}; whether and when it arrives is up to the network. */
    public void send(String from, String to, M message) {
        if (crashed.contains(from)) {
            return;
        }
        sent++;
        bytes += sizeOf.applyAsInt(message);
        if (!connected(from, to) || sim.random().nextDouble() < conditions.lossRate()) {
            dropped++;
            return;
        }
        scheduleDelivery(from, to, message);
        if (sim.random().nextDouble() < conditions.duplicateRate()) {
            duplicated++;
            scheduleDelivery(from, to, message);
        }
    }

    private void scheduleDelivery(String from, String to, M message) {
        long delay = conditions.minDelayMillis() == conditions.maxDelayMillis()
                ? conditions.minDelayMillis()
                : sim.random().nextLong(conditions.minDelayMillis(), conditions.maxDelayMillis() + 1);
        int toIncarnation = incarnationOf(to);
        int fromIncarnation = incarnationOf(from);
        sim.schedule(delay, () -> {
            // a partition that appeared while the message was in flight also cuts it
            if (crashed.contains(to) || incarnationOf(to) != toIncarnation || incarnationOf(from) != fromIncarnation
                    || !connected(from, to)) {
                dropped++;
                return;
            }
            delivered++;
            receiver.deliver(from, to, message);
        });
    }

    /** Sets a timer owned by {@code node}: it does not fire if the node crashes before it is due. */
    public void timer(String node, long delayMillis, Runnable action) {
        int at = incarnationOf(node);
        sim.schedule(delayMillis, () -> {
            if (!crashed.contains(node) && incarnationOf(node) == at) {
                action.run();
            }
        });
    }

    /** Stops {@code node}: it sends and receives nothing, its timers and in-flight messages are lost. */
    public void crash(String node) {
        crashed.add(node);
        incarnation.merge(node, 1, Integer::sum);
    }

    /** Brings {@code node} back as a new incarnation; the harness rebuilds its state from what it kept durable. */
    public void restart(String node) {
        crashed.remove(node);
    }

    public boolean isCrashed(String node) {
        return crashed.contains(node);
    }

    public int incarnationOf(String node) {
        return incarnation.getOrDefault(node, 0);
    }

    /** Splits the network into the given groups; a node in no group is cut off from everyone. */
    @SafeVarargs
    public final void partition(Collection<String>... groups) {
        group.clear();
        for (int i = 0; i < groups.length; i++) {
            for (String node : groups[i]) {
                group.put(node, i);
            }
        }
        partitioned = true;
    }

    /** Ends every partition. */
    public void heal() {
        group.clear();
        partitioned = false;
    }

    public boolean isPartitioned() {
        return partitioned;
    }

    /** Whether a message from {@code a} to {@code b} can pass the current partitions (ignores crashes). */
    public boolean connected(String a, String b) {
        if (!partitioned) {
            return true;
        }
        Integer ga = group.get(a);
        Integer gb = group.get(b);
        return ga != null && ga.equals(gb);
    }

    public long sent() {
        return sent;
    }

    public long delivered() {
        return delivered;
    }

    public long dropped() {
        return dropped;
    }

    public long duplicated() {
        return duplicated;
    }

    /** Bytes handed to {@link #send}, as measured by the size function. */
    public long bytes() {
        return bytes;
    }
}

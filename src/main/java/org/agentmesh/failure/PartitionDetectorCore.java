package org.agentmesh.failure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether this agent is on the majority side of a partition, as a pure state machine.
 *
 * <p>It counts the swarm's known agents it can reach (itself included; input from the failure detector's
 * {@link FailureDetectorCore.ReachabilityChanged}) and is NORMAL iff that count is a strict majority, READ_ONLY
 * otherwise. A change of side must hold, unbroken, for a debounce delay before the mode changes, so a blip (one lost
 * heartbeat, one false suspicion) does not flap the mode. Agents are reachable until observed otherwise.
 *
 * <p>The shell feeds {@link KnownAgents} and {@link Observed}, a {@link Tick} when a {@link SetTimer} falls due, and asks
 * {@link WriteGuard#check} with {@link #status()} before every write.
 */
public final class PartitionDetectorCore {

    public sealed interface Input permits KnownAgents, Observed, Tick {}

    /** The swarm's known agents (this agent is counted whether listed or not). */
    public record KnownAgents(Set<String> agents) implements Input {
        public KnownAgents {
            agents = Set.copyOf(agents);
        }
    }

    /** The failure detector's verdict on {@code agent}. */
    public record Observed(String agent, boolean reachable) implements Input {
        public Observed {
            Objects.requireNonNull(agent, "agent");
        }
    }

    public record Tick() implements Input {}

    public sealed interface Output permits ModeChanged, SetTimer {}

    /** The mode changed at {@code atMillis}, when this agent reached {@code reachable} of {@code known} agents. */
    public record ModeChanged(PartitionMode mode, long atMillis, int reachable, int known) implements Output {}

    /** Call {@link #step} with a {@link Tick} at {@code atMillis}. */
    public record SetTimer(long atMillis) implements Output {}

    /** Times this agent entered READ_ONLY, and how long each READ_ONLY period lasted until NORMAL again. */
    public record Metrics(int partitions, List<Long> recoveryMillis) {}

    private final String self;
    private final PartitionDetectorConfig config;
    private final Set<String> known = new TreeSet<>();
    private final Set<String> unreachable = new TreeSet<>();
    private PartitionMode mode = PartitionMode.NORMAL;
    private long modeSince;
    /** When the current side (majority or not) began to differ from the mode; -1 while they agree. */
    private long changePendingSince = -1;
    private int partitions;
    private final List<Long> recoveryMillis = new ArrayList<>();

    public PartitionDetectorCore(String self, PartitionDetectorConfig config) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        known.add(self);
    }

    public List<Output> step(Input input, long nowMillis) {
        if (input instanceof KnownAgents k) {
            known.clear();
            known.addAll(k.agents());
            known.add(self);
            unreachable.retainAll(known);
        } else if (input instanceof Observed o && !o.agent().equals(self)) {
            if (o.reachable()) {
                unreachable.remove(o.agent());
            } else if (known.contains(o.agent())) {
                unreachable.add(o.agent());
            }
        }
        List<Output> out = new ArrayList<>();
        PartitionMode side = inMajority() ? PartitionMode.NORMAL : PartitionMode.READ_ONLY;
        if (side == mode) {
            changePendingSince = -1;
            return out;
        }
        if (changePendingSince < 0) {
            changePendingSince = nowMillis;
        }
        long delay = side == PartitionMode.READ_ONLY ? config.enterReadOnlyAfterMillis() : config.exitReadOnlyAfterMillis();
        if (nowMillis >= changePendingSince + delay) {
            if (side == PartitionMode.READ_ONLY) {
                partitions++;
            } else {
                recoveryMillis.add(nowMillis - modeSince);
            }
            mode = side;
            modeSince = nowMillis;
            changePendingSince = -1;
            out.add(new ModeChanged(mode, nowMillis, reachable(), known.size()));
        } else if (!(input instanceof Tick)) {
            out.add(new SetTimer(changePendingSince + delay));
        }
        return out;
    }

    public PartitionMode mode() {
        return mode;
    }

    public PartitionStatus status() {
        return new PartitionStatus(mode, reachable(), known.size(), config.needed(known.size()), modeSince);
    }

    public Set<String> unreachable() {
        return Collections.unmodifiableSet(unreachable);
    }

    public Metrics metrics() {
        return new Metrics(partitions, List.copyOf(recoveryMillis));
    }

    private int reachable() {
        return known.size() - unreachable.size();
    }

    private boolean inMajority() {
        return reachable() >= config.needed(known.size());
    }
}

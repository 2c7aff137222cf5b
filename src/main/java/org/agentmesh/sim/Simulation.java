package org.agentmesh.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * Virtual time and a deterministic event queue: the whole world of a simulation test runs on one thread,
 * and everything that happens is a function of the seed.
 *
 * <p>Events scheduled for the same instant run in the order they were scheduled, so two runs with the same
 * seed are identical. Invariant checks registered with {@link #afterEachStep(Runnable)} run after every event.
 */
public final class Simulation {

    private record Scheduled(long at, long seq, Runnable action) {}

    private final long seed;
    private final RandomGenerator random;
    private final PriorityQueue<Scheduled> queue =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final List<Runnable> invariants = new ArrayList<>();
    private long seq;
    private long now;
    private long steps;

    public Simulation(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    /** Current virtual time in milliseconds. */
    public long now() {
        return now;
    }

    /** The one source of randomness of this world; protocol cores receive it (or a split of it), never make their own. */
    public RandomGenerator random() {
        return random;
    }

    /** Number of events executed so far. */
    public long steps() {
        return steps;
    }

    public void schedule(long delayMillis, Runnable action) {
        if (delayMillis < 0) {
            throw new IllegalArgumentException("delayMillis must be >= 0, was " + delayMillis);
        }
        queue.add(new Scheduled(now + delayMillis, seq++, action));
    }

    /** Registers a check that runs after every event; it throws to fail the run. */
    public void afterEachStep(Runnable invariant) {
        invariants.add(invariant);
    }

    /** Runs the next event; returns false when nothing is left to run. */
    public boolean step() {
        Scheduled next = queue.poll();
        if (next == null) {
            return false;
        }
        now = next.at;
        steps++;
        next.action.run();
        for (Runnable invariant : invariants) {
            invariant.run();
        }
        return true;
    }

    /** Runs every event up to and including virtual time {@code time}, then sets the clock to it. */
    public void runUntil(long time) {
        while (!queue.isEmpty() && queue.peek().at <= time) {
            step();
        }
        now = Math.max(now, time);
    }

    /** Runs for {@code millis} of virtual time. */
    public void runFor(long millis) {
        runUntil(now + millis);
    }

    /**
     * Runs until {@code condition} holds (checked after every event) or virtual time passes {@code deadline}.
     *
     * @return whether the condition held
     */
    public boolean runUntil(BooleanSupplier condition, long deadline) {
        if (condition.getAsBoolean()) {
            return true;
        }
        while (!queue.isEmpty() && queue.peek().at <= deadline) {
            step();
            if (condition.getAsBoolean()) {
                return true;
            }
        }
        now = Math.max(now, deadline);
        return condition.getAsBoolean();
    }

    public int pending() {
        return queue.size();
    }
}

package org.agentmesh.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.agentmesh.strategy.SchedulingSimulation.Result;
import org.agentmesh.strategy.SchedulingSimulation.Settings;
import org.agentmesh.strategy.SchedulingSimulation.Workload;
import org.agentmesh.swarm.Strategy;
import org.junit.jupiter.api.Test;

/**
 * The scheduling cores together on virtual time, over the default skewed workload (16 agents, 60 slots, 10,000 tasks,
 * Pareto 1.5 durations from 10 ms capped at 500 ms, mixed capabilities). Ratios are printed per seed.
 */
class SchedulingSimulationTest {

    private static final long[] SEEDS = {1, 2, 3, 4, 5};

    private static Result run(Workload w, Settings s, long seed) {
        Result r = SchedulingSimulation.run(w, s, seed);
        assertTrue(r.everyTaskCompletedOnce(), "seed " + seed + ": not every task completed exactly once: " + r);
        assertEquals(0, r.rejected(), "seed " + seed + ": rejected tasks");
        return r;
    }

    @Test
    void withStealingEveryStrategyIsWithin115PercentOfTheLowerBoundAndRoundRobinWithoutIsAbove150() {
        List<String> failures = new ArrayList<>();
        for (long seed : SEEDS) {
            Workload w = SkewedWorkload.generate(SkewedWorkload.DEFAULT, seed);
            StringBuilder line = new StringBuilder("seed " + seed + String.format(" lower bound %.0f ms:", w.lowerBoundMillis()));
            for (Strategy s : Strategy.values()) {
                Result on = run(w, Settings.of(s, true), seed);
                Result off = run(w, Settings.of(s, false), seed);
                line.append(String.format(" %s %.3f (off %.2f)", s.wireName(), on.makespanRatio(), off.makespanRatio()));
                if (on.makespanRatio() > 1.15) {
                    failures.add("seed " + seed + " " + s.wireName() + " with stealing: " + on.makespanRatio());
                }
                if (on.makespanRatio() < 1.0 || off.makespanRatio() < 1.0) {
                    failures.add("seed " + seed + " " + s.wireName() + " beat the lower bound: the bound or the sim is wrong");
                }
                if (s == Strategy.ROUND_ROBIN && off.makespanRatio() <= 1.5) {
                    failures.add("seed " + seed + " round-robin without stealing only " + off.makespanRatio());
                }
            }
            System.out.println(line);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void allTasksSubmittedToOneAgentAreSpreadByStealing() {
        for (long seed : SEEDS) {
            Workload w = SkewedWorkload.generate(new SkewedWorkload.Shape(16, 3000, 1.5, 10, 500), seed);
            Settings toOne = Settings.of(Strategy.ROUND_ROBIN, true).submittingTo(List.of("agent-00"));
            Result on = run(w, toOne, seed);
            Result off = run(w, Settings.of(Strategy.ROUND_ROBIN, false).submittingTo(List.of("agent-00")), seed);
            String msg = "seed " + seed + ": " + on.executionsPerAgent();
            assertEquals(w.tasks().size(), off.executionsPerAgent().get("agent-00"), "without stealing agent-00 runs all");
            on.executionsPerAgent().forEach((agent, n) -> assertTrue(n > 0, msg + ": " + agent + " executed nothing"));
            assertTrue(on.makespanMillis() * 10 < off.makespanMillis(), msg + ": makespan " + on.makespanMillis()
                    + " vs " + off.makespanMillis() + " without stealing");
            System.out.printf("seed %d one agent: makespan %d ms with stealing (%.2f x bound) vs %d without (%.1f x), steals %d%n",
                    seed, on.makespanMillis(), on.makespanRatio(), off.makespanMillis(), off.makespanRatio(), on.stealsGranted());
        }
    }

    /**
     * All tasks routed to 4 of 16 agents (agent-00..03: 1, 2, 4, 8 slots), no stealing; the balancer runs every 50 ms
     * and may move 128 tasks a round. Load variance is compared over the same window (until the balanced run ends).
     */
    @Test
    void theLoadBalancerReducesLoadVarianceInAHotColdScenario() {
        List<String> hot = List.of("agent-00", "agent-01", "agent-02", "agent-03");
        for (long seed : SEEDS) {
            Workload w = SkewedWorkload.generate(new SkewedWorkload.Shape(16, 3000, 1.5, 10, 500), seed);
            Settings base = Settings.of(Strategy.ROUND_ROBIN, false).submittingTo(hot);
            Result without = run(w, base, seed);
            Result with = run(w, base.withBalancer(new LoadBalancerConfig(0.8, 0.3, 128, 0.7)).balancingEvery(50), seed);
            long window = with.makespanMillis();
            double stdWithout = without.meanUtilizationStdDevUntil(window);
            double stdWith = with.meanUtilizationStdDevUntil(window);
            String msg = String.format("seed %d: utilization stddev over the first %d ms %.3f without balancer, %.3f with "
                    + "(whole runs %.3f, %.3f); makespan %d vs %d; migrations %d (%.0f/min)", seed, window, stdWithout, stdWith,
                    without.meanUtilizationStdDev(), with.meanUtilizationStdDev(), without.makespanMillis(),
                    with.makespanMillis(), with.migrationsDone(), with.migrationsPerMinute());
            System.out.println(msg);
            assertTrue(with.migrationsDone() > 0, msg);
            assertTrue(stdWith < 0.75 * stdWithout, msg);
            assertTrue(with.meanUtilizationStdDev() < without.meanUtilizationStdDev(), msg);
            assertTrue(with.makespanMillis() * 3 < without.makespanMillis(), msg);
            assertEquals(0, without.migrationsDone());
        }
    }

    @Test
    void aRunIsAFunctionOfItsSeed() {
        Workload w = SkewedWorkload.generate(new SkewedWorkload.Shape(12, 1500, 1.5, 10, 300), 9);
        for (Strategy s : Strategy.values()) {
            Settings settings = Settings.of(s, true).balancingEvery(50);
            assertEquals(SchedulingSimulation.run(w, settings, 9), SchedulingSimulation.run(w, settings, 9), s.wireName());
        }
    }

    /** Exactly-once under many seeds and every combination, on a small workload (the harness throws on a double start). */
    @Test
    void everyTaskCompletesExactlyOnceUnderEveryCombination() {
        for (long seed = 1; seed <= 30; seed++) {
            Workload w = SkewedWorkload.generate(new SkewedWorkload.Shape(8, 400, 1.2, 5, 200), seed);
            for (Strategy s : Strategy.values()) {
                for (boolean stealing : new boolean[] {false, true}) {
                    for (long balance : new long[] {0, 20}) {
                        try {
                            Result r = run(w, Settings.of(s, stealing).balancingEvery(balance), seed);
                            assertEquals(w.tasks().size(), r.completed());
                        } catch (AssertionError | RuntimeException e) {
                            fail("failing seed " + seed + " " + s.wireName() + " stealing " + stealing + " balance " + balance
                                    + ": " + e.getMessage(), e);
                        }
                    }
                }
            }
        }
    }
}

package org.agentmesh.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.agentmesh.swarm.AgentSpec;

/**
 * A generated scheduling workload: heterogeneous agents and tasks with heavy-tailed (bounded Pareto) durations and
 * mixed capability requirements, reproducible by seed.
 *
 * <p>Agents {@code agent-00 ..}: capacity cycles 1, 2, 4, 8 slots; all offer {@code compute}; the 4- and 8-slot ones and
 * {@code agent-00} also {@code gpu}; every third also {@code io} (so {@code agent-00}, one slot, offers everything). Tasks: 80% need {@code compute}, 12% need
 * {@code compute}+{@code gpu}, 8% need {@code compute}+{@code io}; a task's cost is its duration in milliseconds.
 */
public final class SkewedWorkload {

    private SkewedWorkload() {}

    /**
     * @param paretoAlpha tail index (smaller = heavier tail; 1.5 has infinite variance before the cap)
     * @param minMillis the Pareto scale (shortest task)
     * @param maxMillis durations are capped here (the longest task)
     */
    public record Shape(int agents, int tasks, double paretoAlpha, long minMillis, long maxMillis) {
        public Shape {
            if (agents < 1 || tasks < 0 || !(paretoAlpha > 0) || minMillis < 1 || maxMillis < minMillis) {
                throw new IllegalArgumentException("bad workload shape " + agents + ", " + tasks + ", " + paretoAlpha
                        + ", " + minMillis + ", " + maxMillis);
            }
        }
    }

    /** 16 agents (60 slots), 10,000 tasks, Pareto alpha 1.5 from 10 ms, capped at 500 ms. */
    public static final Shape DEFAULT = new Shape(16, 10_000, 1.5, 10, 500);

    public static SchedulingSimulation.Workload generate(Shape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<AgentSpec> agents = new ArrayList<>();
        int[] capacities = {1, 2, 4, 8};
        for (int i = 0; i < shape.agents(); i++) {
            List<String> caps = new ArrayList<>(List.of("compute"));
            if (i % 4 >= 2 || i == 0) {
                caps.add("gpu");
            }
            if (i % 3 == 0) {
                caps.add("io");
            }
            agents.add(new AgentSpec(String.format("agent-%02d", i), caps, capacities[i % capacities.length]));
        }
        List<TaskRequirements> tasks = new ArrayList<>();
        for (int i = 0; i < shape.tasks(); i++) {
            double kind = random.nextDouble();
            List<String> required = kind < 0.80 ? List.of("compute")
                    : kind < 0.92 ? List.of("compute", "gpu") : List.of("compute", "io");
            double u = 1.0 - random.nextDouble(); // (0, 1]
            double pareto = shape.minMillis() / Math.pow(u, 1.0 / shape.paretoAlpha());
            long duration = Math.min(shape.maxMillis(), Math.max(shape.minMillis(), Math.round(pareto)));
            tasks.add(new TaskRequirements(String.format("task-%05d", i), required, 0, duration));
        }
        return new SchedulingSimulation.Workload(agents, tasks);
    }
}

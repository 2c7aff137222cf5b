package org.agentmesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agentmesh.strategy.LoadBalancerConfig;
import org.agentmesh.strategy.SchedulingSimulation;
import org.agentmesh.strategy.WorkStealingConfig;
import org.agentmesh.strategy.SchedulingSimulation.Result;
import org.agentmesh.strategy.SchedulingSimulation.Settings;
import org.agentmesh.strategy.SchedulingSimulation.Workload;
import org.agentmesh.strategy.SkewedWorkload;
import org.agentmesh.swarm.Strategy;

/**
 * Scheduling benchmark on virtual time: for the default skewed workload ({@link SkewedWorkload#DEFAULT}), the makespan of
 * every assignment strategy with and without work stealing, as a ratio to the lower bound, plus the time-averaged
 * utilization standard deviation; then a hot/cold scenario (all tasks routed to 4 of 16 agents) without help, with the load
 * balancer (default bound of 32 migrations per 100 ms round, and 128 per 50 ms round) and with stealing instead, with
 * migrations per minute of virtual time; then all tasks routed to one agent, without and with stealing. Medians over seeds.
 * Prints a table and writes {@code bench-results/scheduling-sim.json}.
 *
 * <p>Usage: {@code SchedulingSimulationBench [seeds]} (default 5).
 */
public final class SchedulingSimulationBench {

    private SchedulingSimulationBench() {}

    public static void main(String[] args) throws Exception {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf("workload: %s, seeds 1..%d (median over seeds; min..max of the ratio)%n", SkewedWorkload.DEFAULT, seeds);
        System.out.printf("%-12s %-8s %-12s %10s %10s %8s %15s %10s %14s %8s %11s%n", "strategy", "stealing", "balancer",
                "makespan", "lowerBnd", "ratio", "ratio min..max", "utilStdDev", "utilStdDev@win", "steals", "migr/min");
        for (Strategy s : Strategy.values()) {
            for (boolean stealing : new boolean[] {false, true}) {
                rows.add(row(s.wireName(), Settings.of(s, stealing), seeds));
            }
        }
        List<String> hot = List.of("agent-00", "agent-01", "agent-02", "agent-03");
        Settings hotCold = Settings.of(Strategy.ROUND_ROBIN, false).submittingTo(hot);
        rows.add(row("hot/cold", hotCold, seeds));
        rows.add(row("hot/cold", hotCold.balancingEvery(100), seeds)); // default bound: 32 migrations a round
        rows.add(row("hot/cold", hotCold.withBalancer(new LoadBalancerConfig(0.8, 0.3, 128, 0.7)).balancingEvery(50), seeds));
        rows.add(row("hot/cold", hotCold.withStealing(WorkStealingConfig.DEFAULT), seeds));
        rows.add(row("one-agent", Settings.of(Strategy.ROUND_ROBIN, false).submittingTo(List.of("agent-00")), seeds));
        rows.add(row("one-agent", Settings.of(Strategy.ROUND_ROBIN, true).submittingTo(List.of("agent-00")), seeds));
        System.out.println("utilStdDev: time-averaged standard deviation of utilization across agents over the whole run;"
                + " utilStdDev@win: over the first 2,000 ms of virtual time (the same window for every row)");

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "scheduling-sim");
        doc.put("workload", SkewedWorkload.DEFAULT);
        doc.put("seeds", seeds);
        doc.put("note", "virtual time; makespan and lower bound in ms; values are medians over seeds");
        doc.put("rows", rows);
        Path out = Path.of("bench-results/scheduling-sim.json");
        Files.createDirectories(out.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), doc);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static Map<String, Object> row(String label, Settings settings, int seeds) {
        List<Result> results = new ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
            Workload w = SkewedWorkload.generate(SkewedWorkload.DEFAULT, seed);
            Result r = SchedulingSimulation.run(w, settings, seed);
            if (!r.everyTaskCompletedOnce()) {
                throw new IllegalStateException("seed " + seed + ": not every task completed exactly once: " + r);
            }
            results.add(r);
        }
        double makespan = median(results.stream().mapToDouble(Result::makespanMillis).toArray());
        double lower = median(results.stream().mapToDouble(Result::lowerBoundMillis).toArray());
        double[] ratios = results.stream().mapToDouble(Result::makespanRatio).toArray();
        double ratio = median(ratios);
        double min = java.util.Arrays.stream(ratios).min().orElse(0);
        double max = java.util.Arrays.stream(ratios).max().orElse(0);
        double std = median(results.stream().mapToDouble(Result::meanUtilizationStdDev).toArray());
        double stdWindow = median(results.stream().mapToDouble(r -> r.meanUtilizationStdDevUntil(2_000)).toArray());
        double steals = median(results.stream().mapToDouble(Result::stealsGranted).toArray());
        double mpm = median(results.stream().mapToDouble(Result::migrationsPerMinute).toArray());
        boolean balancing = settings.balanceIntervalMillis() > 0;
        String balancer = balancing ? settings.balanceIntervalMillis() + "ms/" + settings.balancer().maxMigrationsPerRound() : "off";
        System.out.printf("%-12s %-8s %-12s %10.0f %10.0f %8.2f %15s %10.3f %14.3f %8.0f %11.1f%n", label,
                settings.stealing().enabled() ? "on" : "off", balancer, makespan, lower, ratio,
                String.format("%.2f..%.2f", min, max), std, stdWindow, steals, mpm);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", label);
        m.put("strategy", settings.strategy().wireName());
        m.put("submitTo", settings.submitTo());
        m.put("stealing", settings.stealing().enabled());
        m.put("balancerIntervalMillis", settings.balanceIntervalMillis());
        m.put("makespanMillis", makespan);
        m.put("lowerBoundMillis", lower);
        m.put("ratioToLowerBound", ratio);
        m.put("ratioMin", min);
        m.put("ratioMax", max);
        m.put("maxMigrationsPerRound", settings.balancer().maxMigrationsPerRound());
        m.put("meanUtilizationStdDev", std);
        m.put("meanUtilizationStdDevFirst2000ms", stdWindow);
        m.put("stealsGranted", steals);
        m.put("migrationsPerMinute", mpm);
        return m;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}

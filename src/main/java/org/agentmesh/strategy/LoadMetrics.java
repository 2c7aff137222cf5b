package org.agentmesh.strategy;

import java.util.List;

/**
 * Load distribution of a set of agents at one instant: mean and standard deviation of utilization (the seed's "load
 * variance"), standard deviation of the unclamped load factor, and the hotspots (utilization above the hot threshold).
 */
public record LoadMetrics(double meanUtilization, double utilizationStdDev, double loadFactorStdDev, List<String> hotspots) {

    public LoadMetrics {
        hotspots = List.copyOf(hotspots);
    }

    /** Metrics over the live agents of {@code agents}. */
    public static LoadMetrics of(List<AgentLoad> agents, double hotThreshold) {
        List<AgentLoad> live = agents.stream().filter(AgentLoad::live).toList();
        double[] u = live.stream().mapToDouble(AgentLoad::utilization).toArray();
        double[] l = live.stream().mapToDouble(AgentLoad::loadFactor).toArray();
        List<String> hot = live.stream().filter(a -> a.utilization() > hotThreshold).map(AgentLoad::agentId).sorted().toList();
        return new LoadMetrics(mean(u), stdDev(u), stdDev(l), hot);
    }

    static double mean(double[] xs) {
        if (xs.length == 0) {
            return 0.0;
        }
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** Population standard deviation. */
    public static double stdDev(double[] xs) {
        if (xs.length == 0) {
            return 0.0;
        }
        double m = mean(xs);
        double s = 0;
        for (double x : xs) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / xs.length);
    }
}

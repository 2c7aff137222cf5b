package org.agentmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.agentmesh.bench.GossipSimCluster;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.api.Test;

/** Push-sum estimates of mean load, mean latency and agent count, restarted by epochs as values change. */
class PushSumAggregationTest {

    private static final GossipConfig CONFIG = GossipConfig.defaults();

    private record Truth(double load, double latency) {}

    private static Truth assign(GossipSimCluster c, long salt) {
        double load = 0;
        double latency = 0;
        for (String id : c.ids()) {
            double l = c.sim().random().nextDouble();
            double ms = 1 + c.sim().random().nextDouble() * 99;
            c.input(id, new GossipInput.Update(Set.of(), l, 1.0));
            c.input(id, new GossipInput.ReportLatency(ms));
            load += l;
            latency += ms;
        }
        return new Truth(load / c.ids().size(), latency / c.ids().size());
    }

    /** Worst relative error over all peers of the last completed estimate; fails if some peer has none of that epoch. */
    private static double[] worstErrors(GossipSimCluster c, Truth truth, long minEpoch, String context) {
        double[] worst = new double[3];
        int n = c.ids().size();
        for (String id : c.ids()) {
            AggregateEstimate e = c.core(id).estimate();
            assertTrue(e.complete() && e.epoch() >= minEpoch, context + ": " + id + " has no completed estimate of epoch >= "
                    + minEpoch + ": " + e);
            worst[0] = Math.max(worst[0], Math.abs(e.meanLoad() - truth.load()) / truth.load());
            worst[1] = Math.max(worst[1], Math.abs(e.meanLatencyMillis() - truth.latency()) / truth.latency());
            worst[2] = Double.isNaN(e.liveAgents()) ? Double.POSITIVE_INFINITY
                    : Math.max(worst[2], Math.abs(e.liveAgents() - n) / n);
        }
        return worst;
    }

    @Test
    void completedEstimatesAreWithinOnePercentAndFollowChangedValues() {
        List<Double> loadErr = new ArrayList<>();
        List<Double> countErr = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            GossipSimCluster c = new GossipSimCluster(seed, 200, 3, CONFIG, NetworkConditions.reliable());
            c.startAll(CONFIG.intervalMillis());
            c.runRounds(10); // membership settles (the count needs one agreed designated peer)
            Truth truth = assign(c, seed);
            long epochNow = maxEpoch(c);
            // the epoch in progress started before the values were set: wait for two more to complete
            c.runRounds(2.5 * CONFIG.pushSumEpochRounds());
            double[] w = worstErrors(c, truth, epochNow + 1, "seed " + seed);
            String msg = String.format("seed %d: worst error load %.4f%% latency %.4f%% count %.4f%%", seed, 100 * w[0],
                    100 * w[1], 100 * w[2]);
            assertTrue(w[0] < 0.01 && w[1] < 0.01 && w[2] < 0.01, msg);
            loadErr.add(w[0]);
            countErr.add(w[2]);

            // values change: a later epoch follows them
            Truth changed = assign(c, seed + 1000);
            epochNow = maxEpoch(c);
            c.runRounds(2.5 * CONFIG.pushSumEpochRounds());
            w = worstErrors(c, changed, epochNow + 1, "seed " + seed + " after change");
            assertTrue(w[0] < 0.01 && w[1] < 0.01 && w[2] < 0.01, String.format(
                    "seed %d after change: worst error load %.4f%% latency %.4f%% count %.4f%%", seed, 100 * w[0],
                    100 * w[1], 100 * w[2]));
        }
        Collections.sort(loadErr);
        Collections.sort(countErr);
        System.out.printf("push-sum N=200: worst per-seed relative error of mean load: median %.2e max %.2e; count: median %.2e max %.2e%n",
                loadErr.get(loadErr.size() / 2), loadErr.get(loadErr.size() - 1), countErr.get(countErr.size() / 2),
                countErr.get(countErr.size() - 1));
    }

    @Test
    void estimatesStayUsefulUnderTwentyPercentLoss() {
        // lost shares lose mass, so no 1% promise here; the estimate must still be in the right region
        for (long seed = 1; seed <= 5; seed++) {
            GossipSimCluster c = new GossipSimCluster(seed, 100, 3, CONFIG, NetworkConditions.reliable().withLoss(0.2));
            c.startAll(CONFIG.intervalMillis());
            c.runRounds(10);
            Truth truth = assign(c, seed);
            long epochNow = maxEpoch(c);
            c.runRounds(2.5 * CONFIG.pushSumEpochRounds());
            double[] w = worstErrors(c, truth, epochNow + 1, "seed " + seed);
            assertTrue(w[0] < 0.15 && w[1] < 0.15, String.format("seed %d, 20%% loss: worst error load %.2f%% latency %.2f%%",
                    seed, 100 * w[0], 100 * w[1]));
        }
    }

    private static long maxEpoch(GossipSimCluster c) {
        long max = -1;
        for (String id : c.ids()) {
            max = Math.max(max, c.core(id).currentEstimate().epoch());
        }
        return max;
    }

}

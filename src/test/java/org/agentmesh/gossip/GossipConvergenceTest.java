package org.agentmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.agentmesh.bench.GossipSimCluster;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.api.Test;

/** Anti-entropy spreads an update to every peer in about log(N) rounds, with loss too. */
class GossipConvergenceTest {

    /** Anti-entropy alone: a pushed change would reach everyone before the first round and hide what is measured. */
    private static final GossipConfig CONFIG = GossipConfig.defaults().withPushChanges(false);

    /** log_fanout(N) + ln(N): the rounds an update needs to reach everyone, roughly (Pittel; Karp et al.). */
    static double expectedRounds(int n, int fanout) {
        return Math.log(n) / Math.log(fanout) + Math.log(n);
    }

    /**
     * Boots N peers from 3 seeds, waits until every peer knows every other, then updates one peer and counts rounds
     * (of virtual time, in quarter rounds) until every peer holds the update. Returns -1 if it never got there.
     */
    static double propagationRounds(long seed, int n, double loss) {
        GossipSimCluster c = new GossipSimCluster(seed, n, 3, CONFIG, NetworkConditions.reliable().withLoss(loss));
        c.startAll(CONFIG.intervalMillis());
        int warmup = 0;
        while (!c.membershipConverged()) {
            c.runRounds(1);
            if (++warmup > 60) {
                throw new AssertionError("seed " + seed + ": membership of " + n + " peers did not converge in 60 rounds");
            }
        }
        String origin = c.ids().get(c.sim().random().nextInt(n));
        c.input(origin, new GossipInput.Update(Set.of("gpu"), 0.5, 1.0));
        long version = c.core(origin).selfEntry().version();
        long t0 = c.sim().now();
        for (int quarter = 1; quarter <= 4 * 60; quarter++) {
            c.runRounds(0.25);
            if (c.allHaveAtLeast(origin, version)) {
                return (c.sim().now() - t0) / (double) CONFIG.intervalMillis();
            }
        }
        return -1;
    }

    static String summary(List<Double> rounds) {
        List<Double> sorted = new ArrayList<>(rounds);
        Collections.sort(sorted);
        return String.format("min %.2f median %.2f max %.2f over %d seeds", sorted.get(0), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1), sorted.size());
    }

    private static void check(int n, int seeds, double loss, double factor) {
        double bound = factor * expectedRounds(n, CONFIG.fanout());
        List<Double> rounds = new ArrayList<>();
        long t = System.nanoTime();
        for (long seed = 1; seed <= seeds; seed++) {
            double r = propagationRounds(seed, n, loss);
            assertTrue(r >= 0 && r <= bound, "seed " + seed + ", N=" + n + ", loss " + loss + ": update needed " + r
                    + " rounds, bound " + bound + " (so far " + rounds + ")");
            rounds.add(r);
        }
        System.out.printf("N=%d loss=%.0f%%: rounds to reach all peers %s (log3 N + ln N = %.1f), %d ms%n", n, loss * 100,
                summary(rounds), expectedRounds(n, CONFIG.fanout()), (System.nanoTime() - t) / 1_000_000);
    }

    /**
     * With pushChanges (the default), a capability change is pushed at once over the overlay links and random
     * shortcuts and forwarded by every peer for which it is news: it reaches all 1,000 peers within a small fraction
     * of a round, at most one forward per peer and link.
     */
    @Test
    void pushedChangeReachesAllOf1000PeersWithinATenthOfARound() {
        GossipConfig push = GossipConfig.defaults();
        List<Double> rounds = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            GossipSimCluster c = new GossipSimCluster(seed, 1000, 3, push, NetworkConditions.reliable());
            c.startAllFromSnapshot();
            c.runRounds(2);
            assertTrue(c.membershipConverged(), "seed " + seed);
            String origin = c.ids().get(c.sim().random().nextInt(1000));
            c.input(origin, new GossipInput.Update(Set.of("gpu"), 0.5, 1.0));
            long version = c.core(origin).selfEntry().version();
            long t0 = c.sim().now();
            long sent0 = c.network().sent();
            while (!c.allHaveAtLeast(origin, version) && c.sim().now() - t0 < push.intervalMillis()) {
                c.sim().runFor(5);
            }
            double r = (c.sim().now() - t0) / (double) push.intervalMillis();
            assertTrue(c.allHaveAtLeast(origin, version) && r <= 0.1, "seed " + seed + ": pushed change took " + r + " rounds");
            long sent = c.network().sent() - sent0;
            // forwards: at most one per peer to each link and random pick, plus the round's own digests and answers
            assertTrue(sent <= 1000 * (push.maxLinks() + push.randomPartners()) + 4000L * push.fanout(), "messages " + sent);
            rounds.add(r);
        }
        System.out.println("N=1000 pushed change: rounds to reach all peers " + summary(rounds));
    }

    @Test
    void updateReachesAllOf1000PeersInAboutLogRounds() {
        check(1000, 10, 0.0, 2.0);
    }

    @Test
    void updateReachesAllPeersForSmallerSwarmsOverManySeeds() {
        check(50, 40, 0.0, 2.0);
        check(200, 20, 0.0, 2.0);
    }

    @Test
    void updateStillReachesAllPeersWith20PercentLoss() {
        check(200, 20, 0.2, 3.0);
        check(500, 3, 0.2, 3.0);
    }
}

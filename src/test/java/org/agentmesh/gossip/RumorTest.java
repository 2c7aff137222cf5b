package org.agentmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.agentmesh.bench.GossipSimCluster;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.api.Test;

/** Rumor mongering: each rumor reaches every live peer once, and no peer sends it more than its budget. */
class RumorTest {

    private static final GossipConfig CONFIG = GossipConfig.defaults();

    /** Returns the fraction of (live peer, rumor) pairs delivered; asserts no duplicate and the send bound. */
    private static double run(long seed, int n, int rumors, NetworkConditions net, int crashes) {
        GossipSimCluster c = new GossipSimCluster(seed, n, 3, CONFIG, net);
        c.trackRumorSends();
        c.startAll(CONFIG.intervalMillis());
        for (int r = 0; r < 40 && !c.membershipConverged(); r++) {
            c.runRounds(1);
        }
        assertTrue(c.membershipConverged(), "seed " + seed + ": no membership convergence");
        c.runRounds(10); // let the JOINED rumors die out
        for (int k = 0; k < crashes; k++) {
            c.crash(c.ids().get(c.sim().random().nextInt(n)));
        }
        List<String> published = new ArrayList<>();
        for (int k = 0; k < rumors; k++) {
            List<String> up = c.running();
            String origin = up.get(c.sim().random().nextInt(up.size()));
            c.input(origin, new GossipInput.Publish("event " + k));
            c.sim().runFor(c.sim().random().nextLong(500));
        }
        for (String id : c.running()) {
            c.deliveries(id).keySet().stream().filter(r -> r.contains(":") && !r.startsWith("joined:")
                    && !r.startsWith("suspected:") && !r.startsWith("left:")).forEach(r -> {
                        if (!published.contains(r)) {
                            published.add(r);
                        }
                    });
        }
        assertEquals(rumors, published.size(), "seed " + seed + ": distinct custom rumors seen");
        c.runRounds(20);
        int limit = c.core(c.running().get(0)).rumorRetransmitLimit();
        long delivered = 0;
        long expected = 0;
        for (String id : c.running()) {
            Map<String, Integer> got = c.deliveries(id);
            for (String r : published) {
                int times = got.getOrDefault(r, 0);
                assertTrue(times <= 1, "seed " + seed + ": " + id + " got " + r + " " + times + " times");
                delivered += times;
                expected++;
                int sent = c.rumorSends(id).getOrDefault(r, 0);
                assertTrue(sent <= limit, "seed " + seed + ": " + id + " sent " + r + " " + sent + " times, limit " + limit);
            }
        }
        return delivered / (double) expected;
    }

    private static String summary(List<Double> coverage) {
        List<Double> s = new ArrayList<>(coverage);
        Collections.sort(s);
        return String.format("min %.5f median %.5f over %d seeds", s.get(0), s.get(s.size() / 2), s.size());
    }

    @Test
    void rumorsAreDeliveredExactlyOnceEverywhereOnAReliableNetwork() {
        List<Double> coverage = new ArrayList<>();
        for (long seed = 1; seed <= 15; seed++) {
            double cov = run(seed, 100, 10, NetworkConditions.reliable(), 0);
            coverage.add(cov);
            assertEquals(1.0, cov, "seed " + seed + ": coverage " + cov);
        }
        System.out.println("rumors, N=100, reliable: coverage " + summary(coverage));
    }

    @Test
    void rumorsReachAlmostEveryPeerDespiteLossAndCrashes() {
        List<Double> coverage = new ArrayList<>();
        for (long seed = 1; seed <= 10; seed++) {
            double cov = run(seed, 100, 10, NetworkConditions.reliable().withLoss(0.2).withDuplicates(0.05), 5);
            coverage.add(cov);
            assertTrue(cov >= 0.999, "seed " + seed + ": coverage " + cov + " with 20% loss");
        }
        System.out.println("rumors, N=100, 20% loss, 5% duplicates, 5 crashed: coverage " + summary(coverage));
    }
}

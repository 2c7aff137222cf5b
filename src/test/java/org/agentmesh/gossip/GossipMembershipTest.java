package org.agentmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.agentmesh.bench.GossipSimCluster;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.api.Test;

/** Discovery, failure detection, tombstones, overlay repair, partitions and restarts, in simulation over many seeds. */
class GossipMembershipTest {

    /** Short timeouts so that failures play out in a few dozen rounds; still well above the ~3-round spread time. */
    private static final GossipConfig FAST = GossipConfig.defaults().withTimeouts(10_000, 20_000, 60_000);

    private static GossipSimCluster converged(long seed, int n, GossipConfig config, NetworkConditions net) {
        GossipSimCluster c = new GossipSimCluster(seed, n, 3, config, net);
        c.startAll(config.intervalMillis());
        boolean ok = false;
        for (int r = 0; r < 40 && !ok; r++) {
            c.runRounds(1);
            ok = c.membershipConverged();
        }
        assertTrue(ok, "seed " + seed + ": " + n + " peers did not discover each other in 40 rounds");
        return c;
    }

    private static Map<String, SortedSet<String>> overlayOf(GossipSimCluster c) {
        Map<String, SortedSet<String>> g = new HashMap<>();
        for (String id : c.running()) {
            g.put(id, c.core(id).links());
        }
        return g;
    }

    @Test
    void newAgentDiscoversTheSwarmFromSeedsAndEveryoneLearnsOfIt() {
        for (long seed = 1; seed <= 10; seed++) {
            GossipSimCluster c = new GossipSimCluster(seed, 40, 2, FAST, NetworkConditions.reliable());
            List<String> all = c.ids();
            String late = all.get(all.size() - 1);
            for (String id : all) {
                if (!id.equals(late)) {
                    c.start(id);
                }
            }
            c.runRounds(15);
            assertTrue(c.core(late).livePeers().isEmpty(), "not started yet");
            c.start(late);
            double rounds = 0;
            while (!c.membershipConverged() && rounds < 15) {
                c.runRounds(0.5);
                rounds += 0.5;
            }
            assertTrue(c.membershipConverged(), "seed " + seed + ": late agent not integrated after 15 rounds");
            // it received the topology too: it holds every peer's links, and its own links follow the shared mesh
            MeshOverlay mesh = MeshOverlay.of(FAST);
            assertEquals(mesh.linksOf(late, c.core(late).livePeers()), c.core(late).links(), "seed " + seed);
            c.runRounds(3);
            for (String id : all) {
                assertTrue(c.deliveries(id).keySet().stream().anyMatch(r -> r.startsWith("joined:" + late + ":")),
                        "seed " + seed + ": " + id + " never got the JOINED rumor of " + late);
            }
        }
    }

    @Test
    void crashedPeersAreDeclaredDeadLinksAreReplacedAndTombstonesVanishWithoutResurrection() {
        for (long seed = 1; seed <= 10; seed++) {
            GossipSimCluster c = converged(seed, 40, FAST, NetworkConditions.reliable());
            List<String> victims = new ArrayList<>();
            while (victims.size() < 4) {
                String v = c.ids().get(c.sim().random().nextInt(40));
                if (!victims.contains(v)) {
                    victims.add(v);
                }
            }
            victims.forEach(c::crash);
            long crashedAt = c.sim().now();
            // suspect after 10 s, dead after 20 s, plus a few rounds of spread
            boolean allDead = false;
            while (!allDead && c.sim().now() - crashedAt < 40_000) {
                c.runRounds(1);
                allDead = true;
                for (String id : c.running()) {
                    for (String v : victims) {
                        PeerStatus s = c.core(id).entry(v).map(PeerEntry::status).orElse(PeerStatus.DEAD);
                        allDead &= s == PeerStatus.DEAD;
                    }
                }
            }
            assertTrue(allDead, "seed " + seed + ": crashed peers " + victims + " not DEAD everywhere after 40 s");
            c.runRounds(1);
            Map<String, SortedSet<String>> g = overlayOf(c);
            for (Map.Entry<String, SortedSet<String>> e : g.entrySet()) {
                for (String v : victims) {
                    assertFalse(e.getValue().contains(v), "seed " + seed + ": " + e.getKey() + " still links to dead " + v);
                }
                int d = e.getValue().size();
                assertTrue(d >= 3 && d <= 5, "seed " + seed + ": degree " + d + " of " + e.getKey());
            }
            assertTrue(MeshOverlay.isTwoVertexConnected(g), "seed " + seed + ": overlay of survivors not 2-connected, cuts "
                    + MeshOverlay.articulationPoints(g));
            // no survivor was falsely declared dead on the way
            for (String id : c.running()) {
                assertEquals(c.running(), c.core(id).livePeers(), "seed " + seed + ": live view of " + id);
            }
            // after the tombstone period the dead are gone from every view, and stay gone
            c.runRounds(FAST.tombstoneMillis() / FAST.intervalMillis() + 5);
            assertTrue(c.nobodyKnows(Set.copyOf(victims)), "seed " + seed + ": tombstones not purged");
            c.runRounds(10);
            assertTrue(c.nobodyKnows(Set.copyOf(victims)), "seed " + seed + ": dead peers resurrected");
        }
    }

    @Test
    void failureDetectorInputAndGracefulLeaveSpreadToAllViews() {
        for (long seed = 1; seed <= 10; seed++) {
            GossipSimCluster c = converged(seed, 30, FAST, NetworkConditions.reliable());
            String leaver = c.ids().get(3);
            String failed = c.ids().get(7);
            c.input(leaver, new GossipInput.Leave());
            c.crash(failed);
            c.input(c.ids().get(0), new GossipInput.PeerFailed(failed));
            c.runRounds(6); // ~12 s, under the 20 s dead timeout: only the announcements can explain it
            c.crash(leaver);
            for (String id : c.running()) {
                GossipCore core = c.core(id);
                assertEquals(PeerStatus.LEFT, core.entry(leaver).orElseThrow().status(), "seed " + seed + " at " + id);
                assertEquals(PeerStatus.DEAD, core.entry(failed).orElseThrow().status(), "seed " + seed + " at " + id);
                assertFalse(core.links().contains(leaver) || core.links().contains(failed), "seed " + seed);
                assertTrue(c.deliveries(id).keySet().stream().anyMatch(r -> r.startsWith("left:" + leaver + ":")),
                        "seed " + seed + ": LEFT rumor missing at " + id);
                assertTrue(c.deliveries(id).keySet().stream().anyMatch(r -> r.startsWith("failed:" + failed + ":")),
                        "seed " + seed + ": FAILED rumor of the detector's verdict missing at " + id);
            }
        }
    }

    @Test
    void viewsConvergeAfterAPartitionHeals() {
        for (long seed = 1; seed <= 8; seed++) {
            GossipSimCluster c = converged(seed, 60, FAST, NetworkConditions.reliable());
            List<String> ids = c.ids();
            List<String> left = new ArrayList<>();
            List<String> right = new ArrayList<>();
            for (String id : ids) {
                (c.sim().random().nextBoolean() ? left : right).add(id);
            }
            c.network().partition(left, right);
            // long enough for each side to declare the other DEAD
            c.runRounds(20);
            c.input(left.get(0), new GossipInput.Update(Set.of("during-partition"), 0.7, 1.0));
            c.input(right.get(0), new GossipInput.Update(Set.of("other-side"), 0.3, 1.0));
            c.runRounds(5);
            String l = left.get(1);
            assertEquals(PeerStatus.DEAD, c.core(l).entry(right.get(0)).orElseThrow().status(),
                    "seed " + seed + ": partition should have looked like death");
            c.network().heal();
            Map<String, Long> asOfHeal = c.ownVersions();
            long healedAt = c.sim().now();
            boolean caughtUp = false;
            while (!caughtUp && c.sim().now() - healedAt < 60_000) {
                c.runRounds(1);
                caughtUp = c.lagging(asOfHeal).isEmpty() && c.membershipConverged();
            }
            assertTrue(caughtUp, "seed " + seed + ": 60 s after healing, lagging " + c.lagging(asOfHeal));
            System.out.printf("partition seed %d: views converged %.1f rounds after healing%n", seed,
                    (c.sim().now() - healedAt) / (double) FAST.intervalMillis());
            for (String id : ids) {
                assertEquals(Set.of("during-partition"), c.core(id).entry(left.get(0)).orElseThrow().capabilities());
                assertEquals(Set.of("other-side"), c.core(id).entry(right.get(0)).orElseThrow().capabilities());
            }
            assertTrue(MeshOverlay.isTwoVertexConnected(overlayOf(c)), "seed " + seed);
        }
    }

    @Test
    void restartedPeerOutranksItsOwnDeathCertificate() {
        for (long seed = 1; seed <= 10; seed++) {
            GossipSimCluster c = converged(seed, 25, FAST, NetworkConditions.reliable());
            String p = c.ids().get(5);
            c.crash(p);
            c.runRounds(15); // declared DEAD everywhere (20 s)
            assertEquals(PeerStatus.DEAD, c.core(c.ids().get(0)).entry(p).orElseThrow().status(), "seed " + seed);
            c.restart(p);
            c.runRounds(6);
            assertTrue(c.membershipConverged(), "seed " + seed + ": restarted " + p + " not live everywhere");
            for (String id : c.running()) {
                assertEquals(PeerStatus.ALIVE, c.core(id).entry(p).orElseThrow().status(), "seed " + seed + " at " + id);
            }
        }
    }

    @Test
    void sameSeedReplaysTheSameHistory() {
        List<String> fingerprints = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            GossipSimCluster c = converged(99, 80, FAST, NetworkConditions.reliable().withLoss(0.1).withDuplicates(0.05));
            c.crash(c.ids().get(4));
            c.input(c.ids().get(9), new GossipInput.Publish("x"));
            c.runRounds(20);
            StringBuilder f = new StringBuilder();
            f.append(c.network().sent()).append('/').append(c.network().delivered()).append('/').append(c.sim().steps());
            for (String id : c.running()) {
                f.append(';').append(c.core(id).view().stream().map(e -> e.peerId() + "@" + e.version() + e.status())
                        .toList()).append(c.core(id).links());
            }
            fingerprints.add(f.toString());
        }
        assertEquals(fingerprints.get(0), fingerprints.get(1), "seed 99 must replay identically");
    }
}

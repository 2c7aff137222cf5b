package org.agentmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The core alone, driven by hand: what each input produces. */
class GossipCoreTest {

    private static final GossipConfig FAST = GossipConfig.defaults().withTimeouts(10_000, 20_000, 60_000);

    private static GossipCore core(String id, List<String> seeds, long seed) {
        return new GossipCore(id, seeds, FAST, new SplittableRandom(seed));
    }

    private static <T> List<T> of(List<GossipOutput> out, Class<T> type) {
        return out.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Delivers every Send among the given cores until no message is left (instant, reliable network). */
    private static void exchange(List<GossipOutput> first, String from, long now, GossipCore... cores) {
        exchangeBounded(first, from, now, Integer.MAX_VALUE, cores);
    }

    @Test
    void aReceiverMeasuresHowLongAnUpdateTookFromItsOwnersChange() {
        GossipCore a = core("a", List.of("b"), 1);
        GossipCore b = core("b", List.of("a"), 2);
        a.step(GossipInput.Start.blank(), 1_000);
        b.step(GossipInput.Start.blank(), 1_000);
        assertEquals(0, b.metrics(1_000).updateSamples());
        assertEquals(-1, b.metrics(1_000).updateDelayMillisMax(), "nothing taken in yet");
        exchange(a.step(new GossipInput.Tick(), 1_100), "a", 1_100, a, b);
        GossipMetrics first = b.metrics(1_100);
        assertEquals(1, first.updateSamples(), "a's entry, made at its start");
        assertEquals(100, first.updateDelayMillisMax());
        // a changes its capabilities at 5,000; the change is pushed at once and arrives at b 300 ms later
        exchange(a.step(new GossipInput.Update(Set.of("gpu"), 0.0, 1), 5_000), "a", 5_300, a, b);
        assertEquals(Set.of("gpu"), b.view().stream().filter(e -> e.peerId().equals("a")).findFirst().orElseThrow().capabilities());
        GossipMetrics second = b.metrics(5_300);
        assertEquals(2, second.updateSamples());
        assertEquals(300, second.updateDelayMillisMax());
        assertEquals(300, second.updateDelayMillisP50(), "the upper median of {100, 300}");
    }

    @Test
    void aPeerDeclaredDeadCountsAsLiveAgainOnceTheDetectorSaysItIsAlive() {
        GossipCore a = core("a", List.of("b"), 1);
        GossipCore b = core("b", List.of("a"), 2);
        a.step(GossipInput.Start.blank(), 1_000);
        b.step(GossipInput.Start.blank(), 1_000);
        exchange(a.step(new GossipInput.Tick(), 1_100), "a", 1_100, a, b);
        assertEquals(PeerStatus.ALIVE, statusOf(b, "a"));
        // the detector's verdict: DEAD at b, and while it holds, a's newer live entries are taken in as DEAD too
        int sent = exchangeBounded(b.step(new GossipInput.PeerFailed("a"), 2_000), "b", 2_000, 200, a, b);
        assertTrue(sent < 200, "a verdict and a's refutation must not bounce for ever: " + sent + " messages");
        assertEquals(PeerStatus.DEAD, statusOf(b, "a"));
        exchangeBounded(a.step(new GossipInput.Update(Set.of("gpu"), 0.0, 1), 3_000), "a", 3_000, 200, a, b);
        assertEquals(PeerStatus.DEAD, statusOf(b, "a"), "the verdict is fresher news than a's entries in flight");
        // the detector finds a alive again (it refuted): a's next live version counts at once
        b.step(new GossipInput.PeerAlive("a"), 4_000);
        exchangeBounded(a.step(new GossipInput.Update(Set.of("gpu", "nlp"), 0.0, 1), 4_100), "a", 4_100, 200, a, b);
        assertEquals(PeerStatus.ALIVE, statusOf(b, "a"));
        assertEquals(Set.of("gpu", "nlp"), b.view().stream().filter(e -> e.peerId().equals("a")).findFirst().orElseThrow()
                .capabilities());
    }

    private static PeerStatus statusOf(GossipCore at, String peer) {
        return at.view().stream().filter(e -> e.peerId().equals(peer)).findFirst().orElseThrow().status();
    }

    /** Delivers every Send among the given cores until none is left or {@code max} were; returns how many were. */
    private static int exchangeBounded(List<GossipOutput> first, String from, long now, int max, GossipCore... cores) {
        List<Object[]> queue = new ArrayList<>();
        for (GossipOutput.Send s : of(first, GossipOutput.Send.class)) {
            queue.add(new Object[] {from, s});
        }
        int delivered = 0;
        while (!queue.isEmpty() && delivered < max) {
            Object[] next = queue.remove(0);
            GossipOutput.Send s = (GossipOutput.Send) next[1];
            delivered++;
            for (GossipCore c : cores) {
                if (c.selfId().equals(s.to())) {
                    for (GossipOutput.Send r : of(c.step(new GossipInput.Receive((String) next[0], s.message()), now),
                            GossipOutput.Send.class)) {
                        queue.add(new Object[] {c.selfId(), r});
                    }
                }
            }
        }
        return delivered;
    }

    @Test
    void configRejectsFanoutOutside1To10() {
        assertThrows(IllegalArgumentException.class, () -> GossipConfig.defaults().withFanout(0));
        assertThrows(IllegalArgumentException.class, () -> GossipConfig.defaults().withFanout(11));
        assertEquals(1, GossipConfig.defaults().withFanout(1).fanout());
        assertEquals(10, GossipConfig.defaults().withFanout(10).fanout());
        assertThrows(IllegalArgumentException.class, () -> GossipConfig.defaults().withLinks(5, 3));
    }

    @Test
    void startAnnouncesAndAsksForAJitteredTick() {
        GossipCore c = core("a", List.of("s1"), 1);
        assertThrows(IllegalStateException.class, () -> c.step(new GossipInput.Tick(), 0));
        List<GossipOutput> out = c.step(GossipInput.Start.blank(), 1_000);
        GossipOutput.SetTimer t = of(out, GossipOutput.SetTimer.class).get(0);
        assertTrue(t.delayMillis() >= 1_500 && t.delayMillis() <= 2_500, "delay " + t.delayMillis());
        assertEquals(RumorKind.JOINED, of(out, GossipOutput.RumorDelivered.class).get(0).rumor().kind());
        assertEquals(1_000, c.selfEntry().version(), "the first version is the start time: an incarnation number");
        // with nobody known, the round goes to the seed
        List<GossipOutput> round = c.step(new GossipInput.Tick(), 3_000);
        List<GossipOutput.Send> sends = of(round, GossipOutput.Send.class);
        assertEquals(1, sends.size());
        assertEquals("s1", sends.get(0).to());
        assertTrue(sends.get(0).message() instanceof GossipMessage.Digest);
        assertEquals(1_000, c.selfEntry().version(), "a round counts the heartbeat but is no data change");
        assertEquals(1, c.selfEntry().heartbeat());
        assertEquals(1, ((GossipMessage.Digest) sends.get(0).message()).buckets().length, "one bucket for a tiny view");
        // load is (running + queued) / capacity: above 1 when tasks queue, never negative or infinite
        assertThrows(IllegalArgumentException.class, () -> c.step(new GossipInput.Update(Set.of(), -0.5, 1), 3_001));
        assertThrows(IllegalArgumentException.class, () -> c.step(new GossipInput.Update(Set.of(), Double.NaN, 1), 3_001));
        assertThrows(IllegalArgumentException.class,
                () -> c.step(new GossipInput.Update(Set.of(), Double.POSITIVE_INFINITY, 1), 3_001));
        c.step(new GossipInput.Update(Set.of(), 1.5, 1), 3_001);
        assertEquals(1.5, c.selfEntry().load());
    }

    @Test
    void pushPullExchangeTeachesBothSidesEverything() {
        GossipCore a = core("a", List.of("b"), 1);
        GossipCore b = core("b", List.of(), 2);
        GossipCore c = core("c", List.of("b"), 3);
        a.step(GossipInput.Start.blank(), 10);
        b.step(GossipInput.Start.blank(), 20);
        c.step(GossipInput.Start.blank(), 30);
        exchange(c.step(new GossipInput.Tick(), 100), "c", 100, a, b, c); // c <-> b
        exchange(a.step(new GossipInput.Tick(), 200), "a", 200, a, b, c); // a <-> b: a learns c too
        assertEquals(List.of("a", "b", "c"), a.livePeers());
        assertEquals(List.of("a", "b", "c"), b.livePeers());
        assertEquals(a.versionOf("c"), c.selfEntry().version());
        assertEquals(b.versionOf("a"), a.selfEntry().version());
        // the topology came along: the entries carry their owners' links
        assertEquals(new TreeSet<>(List.of("b", "c")), a.links());
    }

    @Test
    void sameSeedSameOutputs() {
        List<String> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            GossipCore a = core("a", List.of("b", "c", "d", "e"), 42);
            StringBuilder log = new StringBuilder();
            log.append(a.step(GossipInput.Start.blank(), 0));
            for (int r = 1; r <= 5; r++) {
                log.append(a.step(new GossipInput.Tick(), r * 2_000L));
            }
            runs.add(log.toString());
        }
        assertEquals(runs.get(0), runs.get(1));
    }

    @Test
    void silentPeerIsSuspectedThenDeadThenPurgedAndNotResurrectedByStaleGossip() {
        GossipCore a = core("a", List.of("b"), 1);
        GossipCore b = core("b", List.of(), 2);
        a.step(GossipInput.Start.blank(), 0);
        b.step(GossipInput.Start.blank(), 0);
        exchange(a.step(new GossipInput.Tick(), 1_000), "a", 1_000, a, b);
        PeerEntry staleB = a.entry("b").orElseThrow();
        // b goes silent; a ticks on alone
        boolean suspectedRumor = false;
        boolean departed = false;
        long now = 1_000;
        while (now < 30_000) {
            now += 2_000;
            List<GossipOutput> out = a.step(new GossipInput.Tick(), now);
            suspectedRumor |= of(out, GossipOutput.RumorDelivered.class).stream()
                    .anyMatch(d -> d.rumor().kind() == RumorKind.SUSPECTED && d.rumor().subject().equals("b"));
            departed |= of(out, GossipOutput.ViewChanged.class).stream().anyMatch(v -> v.departed().contains("b"));
            if (now - 1_000 <= 10_000) {
                assertEquals(PeerStatus.ALIVE, a.entry("b").orElseThrow().status(), "at " + now);
            }
        }
        assertTrue(suspectedRumor, "a SUSPECTED rumor is started");
        assertTrue(departed, "the view change is reported");
        assertEquals(PeerStatus.DEAD, a.entry("b").orElseThrow().status());
        assertEquals(List.of("a"), a.livePeers());
        // tombstone kept 60 s, then gone
        while (now < 100_000) {
            now += 2_000;
            a.step(new GossipInput.Tick(), now);
        }
        assertTrue(a.entry("b").isEmpty(), "tombstone purged");
        // an old copy of b's entry arrives late: refused
        a.step(new GossipInput.Receive("x", new GossipMessage.Push("x", List.of(staleB), List.of())), now);
        assertTrue(a.entry("b").isEmpty(), "stale gossip must not resurrect a purged peer");
        assertFalse(a.livePeers().contains("b"));
    }

    @Test
    void ownDeathCertificateIsRefutedWithAHigherVersion() {
        GossipCore a = core("a", List.of(), 1);
        a.step(GossipInput.Start.blank(), 500);
        PeerEntry mine = a.selfEntry();
        PeerEntry dead = new PeerEntry("a", mine.version() + 7, 3, mine.capabilities(), 0, 1, PeerStatus.DEAD, mine.links());
        a.step(new GossipInput.Receive("z", new GossipMessage.Push("z", List.of(dead), List.of())), 600);
        assertEquals(PeerStatus.ALIVE, a.selfEntry().status());
        assertTrue(a.selfEntry().stamp() > dead.stamp(), "outranks the certificate");
    }

    @Test
    void metricsCountWhatHappened() {
        GossipCore a = core("a", List.of("b"), 1);
        GossipCore b = core("b", List.of(), 2);
        a.step(GossipInput.Start.blank(), 0);
        b.step(GossipInput.Start.blank(), 0);
        exchange(a.step(new GossipInput.Tick(), 2_000), "a", 2_000, a, b);
        GossipMetrics m = a.metrics(2_000);
        assertEquals(1, m.rounds());
        assertEquals(2, m.messagesSent(), "digest and reply");
        assertEquals(2, m.messagesReceived(), "summary and push");
        assertEquals(2, m.livePeers());
        assertEquals(1.0, m.connectivity());
        assertEquals(0, m.millisSinceViewChange());
        assertEquals(0.0, a.metrics(2_000 + FAST.suspectAfterMillis()).connectivity(), "nobody heard from recently");
    }

    @Test
    void partnersComeMostlyFromOverlayLinksWeightedByReputationPlusRandomExpansion() {
        GossipCore a = core("a", List.of(), 7);
        a.step(GossipInput.Start.blank(), 0);
        // eight other peers; "c" has a high reputation
        List<PeerEntry> others = new ArrayList<>();
        for (String id : List.of("b", "c", "d", "e", "f", "g", "h", "i")) {
            others.add(new PeerEntry(id, 5, 1, new TreeSet<>(), 0.1, id.equals("c") ? 5.0 : 0.5, PeerStatus.ALIVE,
                    new TreeSet<>()));
        }
        a.step(new GossipInput.Receive("b", new GossipMessage.Push("b", others, List.of())), 0);
        Set<String> links = a.links();
        assertEquals(4, links.size());
        assertTrue(links.contains("c"), "links " + links);
        java.util.Map<String, Integer> picks = new java.util.TreeMap<>();
        int rounds = 3_000;
        for (int r = 0; r < rounds; r++) {
            // nobody answers here, so after the fanout partners come retries to unanswered peers: count partners only
            List<GossipOutput.Send> digests = of(a.step(new GossipInput.Tick(), 0), GossipOutput.Send.class).stream()
                    .filter(s -> s.message() instanceof GossipMessage.Digest).toList();
            assertTrue(digests.size() >= FAST.fanout(), "fanout partners every round");
            for (GossipOutput.Send s : digests.subList(0, FAST.fanout())) {
                picks.merge(s.to(), 1, Integer::sum);
            }
        }
        int fromLinks = picks.entrySet().stream().filter(e -> links.contains(e.getKey())).mapToInt(e -> e.getValue()).sum();
        int total = picks.values().stream().mapToInt(Integer::intValue).sum();
        // 2 of 3 partners from the 4 links, 1 uniformly random among the 6 not yet chosen (2 of them links):
        // links get (2 + 2/6) / 3 = 7/9 of all picks
        assertEquals(7.0 / 9, fromLinks / (double) total, 0.02, "picks " + picks);
        int c = picks.get("c");
        int otherLinkMean = (fromLinks - c) / 3;
        assertTrue(c > 1.3 * otherLinkMean, "reputation 5 vs 0.5 should be picked more: " + picks);
        for (String id : List.of("b", "d", "e", "f", "g", "h", "i")) {
            assertTrue(picks.getOrDefault(id, 0) > 0, "random expansion reaches every peer: " + picks);
        }
    }

    @Test
    void entriesDoNotShareMutableSetsWithTheirCreator() {
        TreeSet<String> caps = new TreeSet<>(List.of("gpu"));
        PeerEntry e = new PeerEntry("a", 1, 0, java.util.Collections.unmodifiableSortedSet(caps), 0, 1, PeerStatus.ALIVE,
                new TreeSet<>());
        caps.add("sneaked-in");
        assertEquals(Set.of("gpu"), e.capabilities());
        assertThrows(UnsupportedOperationException.class, () -> e.links().add("x"));
    }
}

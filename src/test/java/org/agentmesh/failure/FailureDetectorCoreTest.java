package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.agentmesh.failure.FailureDetectorCore.Output;
import org.agentmesh.failure.FailureDetectorCore.PeerAlive;
import org.agentmesh.failure.FailureDetectorCore.PeerFailed;
import org.agentmesh.failure.FailureDetectorCore.PeerSuspected;
import org.agentmesh.failure.FailureDetectorCore.Received;
import org.agentmesh.failure.FailureDetectorCore.Refuted;
import org.agentmesh.failure.FailureDetectorCore.Send;
import org.agentmesh.failure.FailureDetectorCore.Tick;
import org.agentmesh.failure.FailureDetectorMessage.Ack;
import org.agentmesh.failure.FailureDetectorMessage.Ping;
import org.agentmesh.failure.FailureDetectorMessage.PingReq;
import org.agentmesh.failure.FailureDetectorMessage.PingReqAnswer;
import org.junit.jupiter.api.Test;

/** The failure detector's rules, step by step, with scripted messages. */
class FailureDetectorCoreTest {

    private static final FailureDetectorConfig C = FailureDetectorConfig.defaults();
    /** a watches p; h1, h2 also watch p; p watches a. */
    private static final Map<String, Set<String>> OVERLAY = Map.of(
            "a", Set.of("p"), "p", Set.of("a"), "h1", Set.of("p"), "h2", Set.of("p"));

    private static FailureDetectorCore core(String self) {
        FailureDetectorCore c = new FailureDetectorCore(self, C, new SplittableRandom(1));
        c.step(new FailureDetectorCore.OverlayChanged(OVERLAY), 0);
        return c;
    }

    private static <T> List<T> of(List<Output> out, Class<T> type) {
        return out.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static List<Send> sends(List<Output> out, String to, Class<? extends FailureDetectorMessage> type) {
        return of(out, Send.class).stream().filter(s -> s.to().equals(to) && type.isInstance(s.message())).toList();
    }

    @Test
    void lifeguardTimeoutShrinksWithConfirmations() {
        assertEquals(15_000, C.suspicionTimeout(0, 3));
        assertEquals(9_000, C.suspicionTimeout(1, 3)); // 15 - 12 * log 2 / log 4
        assertEquals(5_490, C.suspicionTimeout(2, 3));
        assertEquals(3_000, C.suspicionTimeout(3, 3));
        assertEquals(3_000, C.suspicionTimeout(7, 3));
        assertEquals(1, C.quorum(0));
        assertEquals(2, C.quorum(2));
        assertEquals(2, C.quorum(3));
        assertEquals(3, C.quorum(4));
    }

    @Test
    void aSilentPeerIsSuspectedAndHelpersAreAsked() {
        FailureDetectorCore a = core("a");
        assertTrue(of(a.step(new Tick(), 9_999), PeerSuspected.class).isEmpty());
        List<Output> out = a.step(new Tick(), 10_000);
        assertEquals(List.of(new PeerSuspected("p", 0, 10_000, "a")), of(out, PeerSuspected.class));
        assertEquals(1, sends(out, "h1", PingReq.class).size());
        assertEquals(1, sends(out, "h2", PingReq.class).size());
        // the suspect is told, so that it can refute
        Ping ping = (Ping) sends(out, "p", Ping.class).get(0).message();
        assertTrue(ping.updates().contains(new MemberUpdate("p", MemberStatus.SUSPECT, 0, "a", 0)), ping.toString());
    }

    @Test
    void aSuspectedAgentRefutesWithAHigherIncarnationAndTheSuspicionIsCleared() {
        FailureDetectorCore a = core("a");
        FailureDetectorCore p = core("p");
        List<Output> out = a.step(new Tick(), 10_000);
        Send ping = sends(out, "p", Ping.class).get(0);
        List<Output> pOut = p.step(new Received("a", ping.message()), 10_050);
        assertEquals(List.of(new Refuted(1, 10_050)), of(pOut, Refuted.class));
        Ack ack = (Ack) sends(pOut, "a", Ack.class).get(0).message();
        assertEquals(1, ack.incarnation());
        List<Output> aOut = a.step(new Received("p", ack), 10_100);
        assertEquals(List.of(new PeerAlive("p", 1, 10_100, MemberStatus.SUSPECT)), of(aOut, PeerAlive.class));
        assertFalse(a.suspects("p"));
        assertEquals(MemberStatus.ALIVE, a.statusOf("p"));
        assertEquals(1, a.metrics().falseSuspicions());
        // a stale suspicion (older incarnation) no longer moves p
        assertTrue(of(p.step(new Received("a", ping.message()), 10_200), Refuted.class).isEmpty());
    }

    @Test
    void aQuorumOfHelpersConfirmsAFailureOnceTheLifeguardTimeoutRunsOut() {
        FailureDetectorCore a = core("a");
        List<Output> out = a.step(new Tick(), 10_000);
        long req = ((PingReq) sends(out, "h1", PingReq.class).get(0).message()).requestId();
        a.step(new Received("h1", new PingReqAnswer(req, "p", false, 0, 0, List.of())), 12_000);
        List<Output> o2 = a.step(new Received("h2", new PingReqAnswer(req, "p", false, 0, 0, List.of())), 12_500);
        // two confirmations of K asked: Lifeguard timeout 5.49 s (or less), not before
        assertTrue(of(o2, PeerFailed.class).isEmpty());
        long k = a.metrics().suspicionsRaised();
        assertEquals(1, k);
        List<Output> o3 = a.step(new Tick(), 10_000 + C.suspicionTimeout(2, 3));
        assertEquals(List.of(new PeerFailed("p", 0, 10_000 + C.suspicionTimeout(2, 3), 2)), of(o3, PeerFailed.class));
        assertEquals(MemberStatus.FAILED, a.statusOf("p"));
        assertEquals(List.of(2), a.metrics().confirmationsPerFailure());
    }

    @Test
    void withoutAQuorumNothingIsConfirmedAndANewRoundStarts() {
        FailureDetectorCore a = core("a");
        List<Output> out = a.step(new Tick(), 10_000);
        long req = ((PingReq) sends(out, "h1", PingReq.class).get(0).message()).requestId();
        a.step(new Received("h1", new PingReqAnswer(req, "p", false, 0, 0, List.of())), 11_000);
        // h2 reached p (same incarnation: not a refutation, but a vote against)
        a.step(new Received("h2", new PingReqAnswer(req, "p", true, 0, 0, List.of())), 11_000);
        List<Output> late = a.step(new Tick(), 10_000 + C.suspicionMaxMillis());
        assertTrue(of(late, PeerFailed.class).isEmpty(), "1 of 2 answers is no majority");
        assertTrue(a.suspects("p"));
        assertFalse(sends(late, "h1", PingReq.class).isEmpty(), "a new ping-req round");
    }

    @Test
    void aHelperConfirmsOnlyAfterAWholeTimeoutOfSilenceAndAnswersReachedWhenTheTargetSpeaks() {
        FailureDetectorCore h = core("h1");
        // h1 watches p and last heard it at 0; a asks at 5 s: h1 probes p, and confirms only at 10 s (a whole timeout)
        List<Output> out = h.step(new Received("a", new PingReq(7, "p", 0, 0, List.of())), 5_000);
        Ping probe = (Ping) sends(out, "p", Ping.class).get(0).message();
        assertTrue(probe.updates().contains(new MemberUpdate("p", MemberStatus.SUSPECT, 0, "a", 0)), "tells p, so it refutes");
        assertTrue(sends(h.step(new Tick(), 9_999), "a", PingReqAnswer.class).isEmpty());
        List<Send> answer = sends(h.step(new Tick(), 10_000), "a", PingReqAnswer.class);
        assertEquals(1, answer.size());
        assertFalse(((PingReqAnswer) answer.get(0).message()).reached());

        FailureDetectorCore h2 = core("h2");
        h2.step(new Received("a", new PingReq(8, "p", 0, 0, List.of())), 10_000);
        List<Output> reached = h2.step(new Received("p", new Ack(1, 1, List.of(), Map.of())), 11_000);
        PingReqAnswer ans = (PingReqAnswer) sends(reached, "a", PingReqAnswer.class).get(0).message();
        assertTrue(ans.reached());
        assertEquals(1, ans.targetIncarnation());
    }

    @Test
    void theWatchedSetFollowsTheOverlayAndANewlyWatchedPeerGetsAFullTimeoutOfGrace() {
        FailureDetectorCore a = core("a");
        a.step(new Tick(), 3_000);
        // at 8 s the overlay changes: a watches q instead of p
        Map<String, Set<String>> next = Map.of("a", Set.of("q"), "p", Set.of("a"), "q", Set.of("a"), "h1", Set.of("p", "q"));
        a.step(new FailureDetectorCore.OverlayChanged(next), 8_000);
        List<Output> out = a.step(new Tick(), 12_000);
        assertTrue(sends(out, "p", Ping.class).isEmpty(), "no longer watched");
        assertEquals(1, sends(out, "q", Ping.class).size());
        assertTrue(of(out, PeerSuspected.class).isEmpty(), "p is not watched, q is new: nobody suspected at 12 s");
        assertEquals(List.of(new PeerSuspected("q", 0, 18_000, "a")), of(a.step(new Tick(), 18_000), PeerSuspected.class));
        // an agent that leaves the swarm is forgotten, with its suspicion
        a.step(new FailureDetectorCore.OverlayChanged(Map.of("a", Set.of("p"), "p", Set.of("a"))), 19_000);
        assertFalse(a.suspects("q"));
        assertEquals(MemberStatus.ALIVE, a.statusOf("q"));
    }

    @Test
    void incarnationsOrderUpdates() {
        MemberUpdate alive2 = new MemberUpdate("x", MemberStatus.ALIVE, 2, "x", 0);
        MemberUpdate suspect2 = new MemberUpdate("x", MemberStatus.SUSPECT, 2, "y", 0);
        MemberUpdate failed2 = new MemberUpdate("x", MemberStatus.FAILED, 2, "y", 1);
        assertTrue(suspect2.overrides(MemberStatus.ALIVE, 2));
        assertFalse(suspect2.overrides(MemberStatus.SUSPECT, 2));
        assertTrue(failed2.overrides(MemberStatus.SUSPECT, 2));
        assertFalse(alive2.overrides(MemberStatus.SUSPECT, 2));
        assertTrue(alive2.overrides(MemberStatus.FAILED, 1));
        assertFalse(suspect2.overrides(MemberStatus.ALIVE, 3));
    }

    /**
     * An agent believed failed whose heartbeat advances (it was alive all along, across a healed partition) is told, so
     * it refutes. The first such word was never sent: the "last told" time started at Long.MIN_VALUE and
     * {@code now - Long.MIN_VALUE} overflows to a negative number, so the once-per-interval check always said "too soon".
     */
    @Test
    void anAgentBelievedFailedWhoseHeartbeatAdvancesIsToldSoThatItRefutes() {
        FailureDetectorCore a = core("a");
        a.step(new Received("h1", new FailureDetectorMessage.Gossip(0,
                List.of(new MemberUpdate("h2", MemberStatus.FAILED, 0, "h1", 2)))), 1_000);
        assertEquals(MemberStatus.FAILED, a.statusOf("h2"));
        List<Output> out = a.step(new Received("p", new Ping(1, 0, List.of(), Map.of("h2", 5_000L))), 6_000);
        List<Send> told = sends(out, "h2", FailureDetectorMessage.Gossip.class);
        assertEquals(1, told.size(), out.toString());
        assertEquals(MemberStatus.FAILED, ((FailureDetectorMessage.Gossip) told.get(0).message()).updates().get(0).status());
    }

    /** a watches f, f watches x: a chain through which a reaches x once f is believed failed. */
    private static final Map<String, Set<String>> CHAIN = Map.of(
            "a", Set.of("f"), "f", Set.of("a", "x"), "x", Set.of("f"), "b", Set.of("a"));

    /**
     * An agent whose overlay watchers all failed would be watched by nobody: the agents that reach it through failed
     * agents only (its bridges) probe it, tell it the bad news they hold, and suspect it if it stays silent for one probe
     * interval. A bridge gets no heartbeats but the sender's own. When the agent in between is alive again, the bridge goes.
     */
    @Test
    void anAgentReachedOnlyThroughFailedOnesIsProbedAndSuspectedIfSilent() {
        FailureDetectorCore a = new FailureDetectorCore("a", C, new SplittableRandom(1));
        a.step(new FailureDetectorCore.OverlayChanged(CHAIN), 0);
        a.step(new Tick(), 3_000); // a probe round: a has a heartbeat of its own
        a.step(new Received("f", new Ping(1, 0, List.of(), Map.of("f", 15_000L, "b", 14_000L))), 15_000); // f alive until 15 s
        List<Output> out = a.step(new Received("b", new FailureDetectorMessage.Gossip(0,
                List.of(new MemberUpdate("f", MemberStatus.FAILED, 0, "b", 2)))), 20_000);
        Ping probe = (Ping) sends(out, "x", Ping.class).get(0).message();
        assertEquals(Set.of("a"), probe.beats().keySet(), "a bridge gets only the sender's own heartbeat");
        FailureDetectorMessage.Gossip news = (FailureDetectorMessage.Gossip) sends(out, "x", FailureDetectorMessage.Gossip.class)
                .get(0).message();
        assertTrue(news.updates().stream().anyMatch(u -> u.member().equals("f") && u.status() == MemberStatus.FAILED));
        assertEquals(Set.of("x"), a.bridges());
        assertTrue(of(a.step(new Tick(), 22_999), PeerSuspected.class).isEmpty());
        assertEquals(List.of("x"), of(a.step(new Tick(), 23_000), PeerSuspected.class).stream().map(PeerSuspected::peer).toList());
        assertTrue(a.suspects("x"));
        // f refutes: x has a live watcher again, so a stops watching it
        a.step(new Received("f", new Ping(2, 1, List.of(), Map.of())), 24_000);
        assertEquals(Set.of(), a.bridges());
        assertFalse(a.suspects("x"));
        List<Output> round = a.step(new Tick(), 30_000);
        assertTrue(sends(round, "x", Ping.class).isEmpty(), round.toString());
    }

    @Test
    void aBridgeThatAnswersIsNotSuspected() {
        FailureDetectorCore a = new FailureDetectorCore("a", C, new SplittableRandom(1));
        a.step(new FailureDetectorCore.OverlayChanged(CHAIN), 0);
        a.step(new Received("f", new Ping(1, 0, List.of(), Map.of())), 15_000);
        List<Output> out = a.step(new Received("b", new FailureDetectorMessage.Gossip(0,
                List.of(new MemberUpdate("f", MemberStatus.FAILED, 0, "b", 2)))), 20_000);
        Ping probe = (Ping) sends(out, "x", Ping.class).get(0).message();
        a.step(new Received("x", new Ack(probe.seq(), 0, List.of(), Map.of("x", 20_010L, "f", 20_000L))), 20_020);
        for (long t = 20_100; t < 29_000; t += 1_000) {
            assertTrue(of(a.step(new Tick(), t), PeerSuspected.class).isEmpty(), "suspected at " + t);
        }
    }

    /** A suspect's watchers believed failed are not asked to help: they would never answer, and others would not be asked. */
    @Test
    void helpersAreNotPickedAmongWatchersBelievedFailed() {
        FailureDetectorCore a = new FailureDetectorCore("a", C, new SplittableRandom(1));
        a.step(new FailureDetectorCore.OverlayChanged(Map.of("a", Set.of("p"), "p", Set.of("a"), "h1", Set.of("p"),
                "h2", Set.of("p"), "o", Set.of("a"))), 0);
        a.step(new Received("o", new FailureDetectorMessage.Gossip(0, List.of(
                new MemberUpdate("h1", MemberStatus.FAILED, 0, "o", 2), new MemberUpdate("h2", MemberStatus.FAILED, 0, "o", 2)))), 1_000);
        List<Output> out = a.step(new Tick(), 10_000);
        assertEquals(List.of("p"), of(out, PeerSuspected.class).stream().map(PeerSuspected::peer).toList());
        assertTrue(sends(out, "h1", PingReq.class).isEmpty() && sends(out, "h2", PingReq.class).isEmpty(), out.toString());
        assertEquals(1, sends(out, "o", PingReq.class).size(), out.toString());
    }
}

package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure detector on simulated swarms with the default timing (probe 3 s, timeout 10 s, suspicion 3-15 s):
 * crashes are confirmed by everyone within a bound, slow agents never are. Each case runs many seeds; a failure names
 * its seed, and {@code FailureSim} with that seed replays it exactly.
 */
class FailureDetectorSimulationTest {

    private static final Logger log = LoggerFactory.getLogger(FailureDetectorSimulationTest.class);
    private static final FailureDetectorConfig FD = FailureDetectorConfig.defaults();
    private static final PartitionDetectorConfig PD = PartitionDetectorConfig.defaults();

    /**
     * The bound: the first watcher notices after at most one timeout of silence; helpers answer within one timeout of
     * silence (their own) or one probe interval; a ping-req round lasts at most suspicionMax; flooding then takes
     * milliseconds. So timeout + suspicionMax + 2 probe intervals = 31 s with the defaults.
     */
    static long detectionBound(FailureDetectorConfig c) {
        return c.timeoutMillis() + c.suspicionMaxMillis() + 2 * c.probeIntervalMillis();
    }

    /**
     * The last rows crash a large share of a small swarm at once, as when the node hosting 4 of 9 agents crashes: an agent
     * whose overlay neighbours all crashed is watched by nobody until its bridges form (see
     * {@link FailureDetectorCore}); before them it stayed ALIVE everywhere for ever (seed 5 of the 4-of-9 row). An agent
     * buried behind two layers of crashed ones (8 of 20) waits for the first layer's verdicts before anyone probes it,
     * hence the doubled bound there.
     */
    @ParameterizedTest(name = "N={0}, {1} seeds, loss {2}, {3} crashed at once, bound x{4}")
    @CsvSource({"8, 40, 0.02, 1, 1", "20, 20, 0.02, 1, 1", "50, 10, 0.02, 1, 1", "20, 20, 0.05, 1, 1", "50, 10, 0.02, 3, 1",
            "9, 100, 0.02, 4, 1", "12, 60, 0.05, 5, 1", "20, 40, 0.02, 8, 2"})
    void crashedAgentIsConfirmedFailedByEveryLiveAgentWithinTheBound(int n, int seeds, double loss, int crashes, int factor) {
        long bound = factor * detectionBound(FD);
        List<Long> detection = new ArrayList<>();
        List<Long> confirmations = new ArrayList<>();
        long falseSuspicions = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            // a LAN with loss: 1-20 ms, 1% duplicated
            FailureSim s = new FailureSim(seed, n, new NetworkConditions(1, 20, loss, 0.01), FD, PD);
            s.sim.runFor(20_000 + s.sim.random().nextLong(3_000)); // settle, crash at a random phase of the probe rounds
            List<String> victims = new ArrayList<>();
            while (victims.size() < crashes) {
                String v = s.agents.get(s.sim.random().nextInt(n));
                if (!victims.contains(v)) {
                    victims.add(v);
                }
            }
            long crashedAt = s.sim.now();
            victims.forEach(s.net::crash);
            boolean all = s.sim.runUntil(() -> s.live().stream()
                    .allMatch(a -> victims.stream().allMatch(v -> s.failedSeenAt(a, v) >= 0)), crashedAt + bound);
            for (String v : victims) {
                List<String> missing = s.live().stream().filter(a -> s.failedSeenAt(a, v) < 0).toList();
                if (!all && !missing.isEmpty()) {
                    fail("seed " + seed + " N=" + n + ": " + v + " crashed at " + crashedAt + " not confirmed within "
                            + bound + " ms by " + missing);
                }
                for (String a : s.live()) {
                    detection.add(s.failedSeenAt(a, v) - crashedAt);
                }
            }
            s.sim.runFor(30_000); // let late messages settle; nobody alive may be declared failed
            for (FailureSim.FailureSeen f : s.failures) {
                if (!victims.contains(f.failure().peer())) {
                    fail("seed " + seed + " N=" + n + ": live agent " + f.failure().peer() + " declared failed by "
                            + f.observer() + " at " + f.failure().detectedAtMillis());
                }
            }
            for (FailureDetectorCore d : s.detectors.values()) {
                d.metrics().confirmationsPerFailure().forEach(c -> confirmations.add((long) c));
            }
            falseSuspicions += s.sum(FailureDetectorCore.Metrics::falseSuspicions);
        }
        log.info("crash N={} seeds={} loss={} crashes={} bound={} ms: detection time (crash -> PeerFailed at each live agent) {}; "
                        + "confirmations per declared failure {}; false suspicions {}",
                n, seeds, loss, crashes, bound, FailureSim.distribution(detection),
                FailureSim.distribution(confirmations).replace(" ms", ""), falseSuspicions);
    }

    /**
     * An overloaded agent whose incoming messages wait 15-30 s (beyond the timeout) suspects its neighbours again and
     * again, and refutations reach it late. Only the quorum stops it from declaring them failed: the helpers it asks
     * reach the suspects, so no majority ever confirms.
     */
    @org.junit.jupiter.api.Test
    void anOverloadedAgentThatHearsEveryoneLateDeclaresNobodyFailed() {
        long raised = 0;
        for (long seed = 1; seed <= 10; seed++) {
            FailureSim s = new FailureSim(seed, 20, new NetworkConditions(1, 20, 0.02, 0.0), FD, PD);
            String overloaded = s.agents.get(s.sim.random().nextInt(20));
            s.slowInbound.put(overloaded, new long[] {15_000, 30_000});
            s.sim.runFor(300_000);
            if (!s.failures.isEmpty()) {
                FailureSim.FailureSeen f = s.failures.get(0);
                fail("seed " + seed + ": alive agent " + f.failure().peer() + " declared failed by " + f.observer()
                        + " at " + f.failure().detectedAtMillis() + " (overloaded: " + overloaded + ")");
            }
            raised += s.detectors.get(overloaded).metrics().suspicionsRaised();
        }
        assertTrue(raised > 0, "the overloaded agent never suspected anyone: this case tests nothing");
        log.info("overloaded receiver (inbound +15-30 s), N=20, 10 seeds, 300 s each: suspicions it raised {}, confirmed failures 0",
                raised);
    }

    @org.junit.jupiter.api.Test
    void aSeedReplaysExactly() {
        List<String> first = replay(42);
        List<String> second = replay(42);
        org.junit.jupiter.api.Assertions.assertEquals(first, second);
        assertTrue(!first.equals(replay(43)), "different seeds should differ");
    }

    private static List<String> replay(long seed) {
        FailureSim s = new FailureSim(seed, 20, new NetworkConditions(1, 20, 0.05, 0.01), FD, PD);
        s.sim.runFor(20_000);
        s.net.crash(s.agents.get(3));
        s.sim.runFor(40_000);
        List<String> trace = new ArrayList<>();
        s.failures.forEach(f -> trace.add(f.observer() + ":" + f.failure()));
        trace.add("sent=" + s.net.sent() + " steps=" + s.sim.steps());
        return trace;
    }

    @org.junit.jupiter.api.Test
    void aCrashedAgentThatRestartsRefutesItsFailureAndIsAliveEverywhereAgain() {
        for (long seed = 1; seed <= 10; seed++) {
            FailureSim s = new FailureSim(seed, 20, new NetworkConditions(1, 20, 0.02, 0.0), FD, PD);
            s.sim.runFor(20_000);
            String victim = s.agents.get(s.sim.random().nextInt(20));
            s.net.crash(victim);
            s.sim.runFor(detectionBound(FD));
            for (String a : s.live()) {
                if (s.failedSeenAt(a, victim) < 0) {
                    fail("seed " + seed + ": " + a + " did not confirm " + victim);
                }
            }
            long restartedAt = s.sim.now();
            s.restart(victim); // nothing durable: the new incarnation starts at 0 and learns it was declared failed
            boolean back = s.sim.runUntil(() -> s.agents.stream()
                    .allMatch(a -> s.detectors.get(a).statusOf(victim) == MemberStatus.ALIVE), restartedAt + 2 * FD.timeoutMillis());
            assertTrue(back, "seed " + seed + ": " + victim + " not ALIVE everywhere 20 s after restarting");
            assertTrue(s.detectors.get(victim).incarnation() > 0, "seed " + seed + ": it refuted with a higher incarnation");
        }
    }

    /**
     * Up to 4 s each way keeps the round trip within 80% of the timeout; up to 8 s each way (80% of the timeout one
     * way) lets the round trip exceed the timeout, which provokes suspicions that must all be refuted.
     */
    @ParameterizedTest(name = "N={0}, {1} seeds, {2}-{3} ms extra each way")
    @CsvSource({"20, 10, 500, 4000, false", "50, 3, 500, 4000, false", "20, 40, 0, 8000, true", "50, 10, 0, 8000, true"})
    void slowButAliveAgentIsNeverConfirmedFailed(int n, int seeds, long extraMin, long extraMax, boolean provokesSuspicions) {
        long suspicions = 0;
        long falseSuspicions = 0;
        long refutations = 0;
        long slowSuspected = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            // 5% loss everywhere; two slow agents whose every message waits extraMin..extraMax ms more each way
            FailureSim s = new FailureSim(seed, n, new NetworkConditions(1, 20, 0.05, 0.0), FD, PD);
            List<String> slow = List.of(s.agents.get(0), s.agents.get(1 + s.sim.random().nextInt(n - 1)));
            for (String a : slow) {
                s.slow.put(a, new long[] {extraMin, extraMax});
            }
            s.sim.runFor(300_000);
            if (!s.failures.isEmpty()) {
                FailureSim.FailureSeen f = s.failures.get(0);
                fail("seed " + seed + " N=" + n + ": alive agent " + f.failure().peer() + " declared failed by "
                        + f.observer() + " at " + f.failure().detectedAtMillis() + " (slow: " + slow + ")");
            }
            // every suspicion raised in the run has been refuted or is still running; none may linger at the end
            s.sim.runFor(60_000);
            for (String a : s.agents) {
                for (String b : s.agents) {
                    if (s.detectors.get(a).statusOf(b) == MemberStatus.FAILED) {
                        fail("seed " + seed + ": " + a + " believes " + b + " failed");
                    }
                }
            }
            suspicions += s.sum(FailureDetectorCore.Metrics::suspicionsRaised);
            falseSuspicions += s.sum(FailureDetectorCore.Metrics::falseSuspicions);
            refutations += s.sum(FailureDetectorCore.Metrics::refutations);
            slowSuspected += slow.stream().mapToLong(a -> s.detectors.get(a).incarnation()).sum();
        }
        if (provokesSuspicions) {
            assertTrue(falseSuspicions > 0 && refutations > 0, "the slow agents were never suspected: this case tests nothing");
        }
        log.info("slow N={} seeds={} extra delay {}-{} ms each way, 5% loss, 360 s each: confirmed failures 0, "
                        + "suspicions raised {}, false suspicions (refuted) {}, refutations {}, slow agents' refutations {}",
                n, seeds, extraMin, extraMax, suspicions, falseSuspicions, refutations, slowSuspected);
    }
}

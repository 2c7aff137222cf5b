package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure detector + partition detector on simulated swarms split at random: the minority side goes READ_ONLY
 * within a bound and refuses writes, the majority side stays NORMAL and writable, and after healing everyone is
 * NORMAL again, with the recovery time recorded.
 */
class PartitionSimulationTest {

    private static final Logger log = LoggerFactory.getLogger(PartitionSimulationTest.class);
    private static final FailureDetectorConfig FD = FailureDetectorConfig.defaults();
    private static final PartitionDetectorConfig PD = PartitionDetectorConfig.defaults();

    /**
     * Minority bound: heartbeats of the other side stop; after livenessTimeout they are stale (checked at least every
     * probe interval, and the newest heartbeat may be an interval old), then the enter debounce: 30 + 3 + 3 + 5 = 41 s.
     */
    static final long MINORITY_BOUND = FD.livenessTimeoutMillis() + 2 * FD.probeIntervalMillis() + PD.enterReadOnlyAfterMillis();
    /**
     * Healing bound: pings across the former cut resume within an interval, the refutations of "failed" agents flood,
     * heartbeats cross the overlay (about an interval per hop); then the exit debounce: 2 timeouts + exit = 25 s.
     */
    static final long HEAL_BOUND = 2 * FD.timeoutMillis() + PD.exitReadOnlyAfterMillis();

    /** What the random splits measured, across seeds. */
    private static final class Stats {
        final List<Long> toReadOnly = new ArrayList<>();
        final List<Long> recovery = new ArrayList<>();
        final List<Long> healToNormal = new ArrayList<>();
        int cutOffInMajority;
        int splitsWithoutMajority;
        int lateVerdicts;
        int cutOffReadOnly;
        int verdictsAcross;
    }

    @ParameterizedTest(name = "N={0}, {1} seeds")
    @CsvSource({"8, 30", "20, 15", "50, 6"})
    void onlyTheMajoritySideStaysWritableAndEveryoneRecoversAfterHealing(int n, int seeds) {
        Stats st = new Stats();
        for (long seed = 1; seed <= seeds; seed++) {
            splitAndHeal(seed, n, st);
        }
        log.info("partition N={} seeds={} (splits without a majority: {}; majority agents cut off from it in the overlay: {}, "
                        + "of which READ_ONLY: {}): split -> READ_ONLY {}; READ_ONLY -> NORMAL (recovery time) {}; "
                        + "heal -> NORMAL {}; PeerFailed across the cut during the partition {}, PeerFailed after healing {}",
                n, seeds, st.splitsWithoutMajority, st.cutOffInMajority, st.cutOffReadOnly, FailureSim.distribution(st.toReadOnly),
                FailureSim.distribution(st.recovery), FailureSim.distribution(st.healToNormal), st.verdictsAcross, st.lateVerdicts);
    }

    /** Seeds that once let a healed minority's stale FAILED verdicts spread into the majority. */
    @ParameterizedTest(name = "seed {0}, N={1}")
    @CsvSource({"26, 20", "12, 50"})
    void regressionStaleVerdictsOfAHealedMinorityDoNotSpread(long seed, int n) {
        splitAndHeal(seed, n, new Stats());
    }

    /** One random split: the minority goes READ_ONLY, the majority stays NORMAL, and healing brings everyone back. */
    private static void splitAndHeal(long seed, int n, Stats st) {
        String at = "seed " + seed + " N=" + n + ": ";
        FailureSim s = new FailureSim(seed, n, new NetworkConditions(1, 20, 0.02, 0.0), FD, PD);
        s.sim.runFor(20_000);
        for (String a : s.agents) {
            assertEquals(PartitionMode.NORMAL, s.partitions.get(a).mode(), at + a + " not NORMAL before the split");
        }
        List<String> shuffled = new ArrayList<>(s.agents);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            java.util.Collections.swap(shuffled, i, s.sim.random().nextInt(i + 1));
        }
        int cut = 1 + s.sim.random().nextInt(n - 1);
        Set<String> sideA = new TreeSet<>(shuffled.subList(0, cut));
        Set<String> sideB = new TreeSet<>(shuffled.subList(cut, n));
        int needed = PD.needed(n);
        Set<String> majority = sideA.size() >= needed ? sideA : sideB.size() >= needed ? sideB : Set.of();
        if (majority.isEmpty()) {
            st.splitsWithoutMajority++;
        }
        // who can tell it is in the majority: majority agents connected, inside their side, through the overlay
        // to a majority (heartbeats travel over overlay links); an agent cut off from it knows nothing better
        Set<String> informedMajority = new TreeSet<>();
        for (Set<String> comp : s.overlayComponents(majority)) {
            if (comp.size() >= needed) {
                informedMajority.addAll(comp);
            }
        }
        st.cutOffInMajority += majority.size() - informedMajority.size();

        long splitAt = s.sim.now();
        s.net.partition(sideA, sideB);
        Set<String> minority = new TreeSet<>(s.agents);
        minority.removeAll(majority);
        boolean minorityReadOnly = s.sim.runUntil(
                () -> minority.stream().allMatch(a -> s.partitions.get(a).mode() == PartitionMode.READ_ONLY),
                splitAt + MINORITY_BOUND);
        if (!minorityReadOnly) {
            fail(at + "minority " + minority + " not all READ_ONLY " + MINORITY_BOUND + " ms after the split; still NORMAL: "
                    + minority.stream().filter(a -> s.partitions.get(a).mode() == PartitionMode.NORMAL).toList());
        }
        s.sim.runFor(60_000); // a long partition: the minority stays read-only, the majority writable
        for (String a : minority) {
            PartitionStatus status = s.partitions.get(a).status();
            assertEquals(PartitionMode.READ_ONLY, status.mode(), at + "minority agent " + a + " left READ_ONLY: " + status);
            WriteGuard.Decision d = WriteGuard.check(status);
            assertFalse(d.allowed(), at + a);
            assertTrue(((WriteGuard.Refused) d).reason().startsWith("read-only: this agent reaches "), d.toString());
            st.toReadOnly.add(status.sinceMillis() - splitAt);
        }
        for (String a : majority) {
            if (!informedMajority.contains(a) && s.partitions.get(a).mode() == PartitionMode.READ_ONLY) {
                st.cutOffReadOnly++;
            }
        }
        for (String a : informedMajority) {
            PartitionStatus status = s.partitions.get(a).status();
            assertTrue(WriteGuard.check(status).allowed(), at + "majority agent " + a + " refuses writes: " + status);
            assertEquals(0, s.partitions.get(a).metrics().partitions(), at + "majority agent " + a + " went READ_ONLY");
        }

        int before = s.failures.size();
        long healAt = s.sim.now();
        s.net.heal();
        boolean allNormal = s.sim.runUntil(
                () -> s.agents.stream().allMatch(a -> s.partitions.get(a).mode() == PartitionMode.NORMAL),
                healAt + HEAL_BOUND);
        if (!allNormal) {
            fail(at + "not all NORMAL " + HEAL_BOUND + " ms after healing; READ_ONLY: "
                    + s.agents.stream().filter(a -> s.partitions.get(a).mode() != PartitionMode.NORMAL).toList());
        }
        for (String a : s.agents) {
            PartitionDetectorCore.Metrics m = s.partitions.get(a).metrics();
            st.recovery.addAll(m.recoveryMillis());
            if (m.partitions() > 0) {
                st.healToNormal.add(s.partitions.get(a).status().sinceMillis() - healAt);
            }
        }
        // and it stays healed: refutations settle, nobody is left believing anyone failed
        s.sim.runFor(60_000);
        // the minority's verdicts about majority agents must not spread into the majority when the network heals
        for (FailureSim.FailureSeen f : s.failures.subList(before, s.failures.size())) {
            if (informedMajority.contains(f.observer()) && informedMajority.contains(f.failure().peer())) {
                fail(at + "after healing, " + f.observer() + " declared " + f.failure().peer()
                        + " failed, though both were on the majority side");
            }
        }
        for (FailureSim.FailureSeen f : s.failures.subList(0, before)) {
            if (informedMajority.contains(f.observer()) && informedMajority.contains(f.failure().peer())) {
                fail(at + "during the partition, " + f.observer() + " declared " + f.failure().peer()
                        + " failed, though both were on the majority side");
            }
        }
        st.lateVerdicts += s.failures.size() - before;
        for (FailureSim.FailureSeen f : s.failures.subList(0, before)) {
            if (majority.contains(f.observer()) != majority.contains(f.failure().peer())) {
                st.verdictsAcross++;
            }
        }
        for (String a : s.agents) {
            assertEquals(PartitionMode.NORMAL, s.partitions.get(a).mode(), at + a + " fell back to READ_ONLY after healing");
            for (String b : s.agents) {
                assertEquals(MemberStatus.ALIVE, s.detectors.get(a).statusOf(b), at + a + " still believes " + b + " down");
            }
        }
        }

    @Test
    void anAgentCutOffFromEveryoneDeclaresNobodyFailedAndRejoinsAfterHealing() {
        for (long seed = 1; seed <= 10; seed++) {
            String at = "seed " + seed + ": ";
            FailureSim s = new FailureSim(seed, 20, new NetworkConditions(1, 20, 0.02, 0.0), FD, PD);
            s.sim.runFor(20_000);
            String alone = s.agents.get(s.sim.random().nextInt(20));
            Set<String> rest = new TreeSet<>(s.agents);
            rest.remove(alone);
            s.net.partition(Set.of(alone), rest);
            s.sim.runFor(120_000);
            // no quorum of helpers answers it, so it suspects its neighbours but confirms nothing
            for (FailureSim.FailureSeen f : s.failures) {
                assertTrue(!f.observer().equals(alone), at + alone + " declared " + f.failure().peer() + " failed alone");
            }
            assertTrue(s.detectors.get(alone).metrics().suspicionsRaised() > 0, at + "it never even suspected");
            for (String a : rest) {
                assertEquals(MemberStatus.FAILED, s.detectors.get(a).statusOf(alone), at + a + " about " + alone);
            }
            assertEquals(PartitionMode.READ_ONLY, s.partitions.get(alone).mode(), at);
            s.net.heal();
            s.sim.runFor(HEAL_BOUND);
            for (String a : s.agents) {
                assertEquals(MemberStatus.ALIVE, s.detectors.get(a).statusOf(alone), at + a + " about " + alone + " after healing");
            }
            assertTrue(s.detectors.get(alone).incarnation() > 0, at + "rejoined without refuting");
            assertEquals(PartitionMode.NORMAL, s.partitions.get(alone).mode(), at);
        }
    }
}

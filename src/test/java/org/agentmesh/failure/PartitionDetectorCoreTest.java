package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.agentmesh.failure.PartitionDetectorCore.KnownAgents;
import org.agentmesh.failure.PartitionDetectorCore.ModeChanged;
import org.agentmesh.failure.PartitionDetectorCore.Observed;
import org.agentmesh.failure.PartitionDetectorCore.Output;
import org.agentmesh.failure.PartitionDetectorCore.Tick;
import org.junit.jupiter.api.Test;

class PartitionDetectorCoreTest {

    private static PartitionDetectorCore fiveAgents() {
        PartitionDetectorCore c = new PartitionDetectorCore("a", PartitionDetectorConfig.defaults());
        c.step(new KnownAgents(Set.of("a", "b", "c", "d", "e")), 0);
        return c;
    }

    @Test
    void readOnlyOnlyAfterTheMinorityConditionHoldsForTheDebounceDelay() {
        PartitionDetectorCore c = fiveAgents();
        c.step(new Observed("b", false), 1_000);
        c.step(new Observed("c", false), 1_000);
        assertEquals(PartitionMode.NORMAL, c.mode(), "2 unreachable of 5: 3 reached, still a majority");
        List<Output> out = c.step(new Observed("d", false), 2_000);
        assertEquals(List.of(new PartitionDetectorCore.SetTimer(7_000)), out);
        assertEquals(PartitionMode.NORMAL, c.mode());
        assertTrue(c.step(new Tick(), 6_999).isEmpty());
        assertEquals(List.of(new ModeChanged(PartitionMode.READ_ONLY, 7_000, 2, 5)), c.step(new Tick(), 7_000));
        assertEquals(new WriteGuard.Refused("read-only: this agent reaches 2 of 5 agents (needs 3)"),
                WriteGuard.check(c.status()));
    }

    @Test
    void aBlipShorterThanTheDebounceDoesNotFlap() {
        PartitionDetectorCore c = fiveAgents();
        c.step(new Observed("b", false), 1_000);
        c.step(new Observed("c", false), 1_000);
        c.step(new Observed("d", false), 1_000);
        c.step(new Observed("d", true), 5_000); // back before 5 s of minority
        c.step(new Tick(), 6_000);
        c.step(new Tick(), 20_000);
        assertEquals(PartitionMode.NORMAL, c.mode());
        assertEquals(0, c.metrics().partitions());
        assertTrue(WriteGuard.check(c.status()).allowed());
    }

    @Test
    void recoveryTimeIsMeasuredFromReadOnlyToNormal() {
        PartitionDetectorCore c = fiveAgents();
        for (String x : List.of("b", "c", "d")) {
            c.step(new Observed(x, false), 1_000);
        }
        c.step(new Tick(), 6_000);
        assertEquals(PartitionMode.READ_ONLY, c.mode());
        c.step(new Observed("b", true), 30_000);
        // majority again but not yet for long: still refused, and the reason says why
        WriteGuard.Decision d = WriteGuard.check(c.status());
        assertEquals(new WriteGuard.Refused("read-only: this agent reaches 3 of 5 agents (needs 3); a majority is reachable "
                + "again, waiting for it to hold before writes resume"), d);
        c.step(new Observed("c", false), 31_000); // still unreachable: no change
        assertEquals(List.of(new ModeChanged(PartitionMode.NORMAL, 35_000, 3, 5)), c.step(new Tick(), 35_000));
        assertEquals(new PartitionDetectorCore.Metrics(1, List.of(29_000L)), c.metrics());
    }

    @Test
    void evenSplitsHaveNoMajorityAndTheThresholdIsConfigurable() {
        PartitionDetectorConfig strict = PartitionDetectorConfig.defaults();
        assertEquals(3, strict.needed(4));
        assertEquals(3, strict.needed(5));
        assertEquals(26, strict.needed(50));
        PartitionDetectorConfig twoThirds = new PartitionDetectorConfig(2.0 / 3, 0, 0);
        assertEquals(7, twoThirds.needed(9));
        PartitionDetectorCore c = new PartitionDetectorCore("a", twoThirds);
        c.step(new KnownAgents(Set.of("a", "b", "c")), 0);
        c.step(new Observed("b", false), 10);
        assertEquals(PartitionMode.READ_ONLY, c.mode(), "2 of 3 is not more than two thirds");
    }
}

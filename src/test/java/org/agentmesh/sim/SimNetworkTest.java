package org.agentmesh.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimNetworkTest {

    private static List<String> run(long seed, NetworkConditions conditions) {
        Simulation sim = new Simulation(seed);
        List<String> log = new ArrayList<>();
        SimNetwork<Integer> net = new SimNetwork<>(sim, conditions, (from, to, m) -> log.add(sim.now() + ":" + from + ">" + to + ":" + m));
        for (int i = 0; i < 200; i++) {
            net.send("a", "b", i);
        }
        sim.runFor(1_000);
        return log;
    }

    @Test
    void sameSeedSameHistory() {
        NetworkConditions lossy = new NetworkConditions(1, 50, 0.2, 0.1);
        assertEquals(run(7, lossy), run(7, lossy));
        assertTrue(!run(7, lossy).equals(run(8, lossy)), "different seeds should differ");
    }

    @Test
    void lossAndDuplicationHappenAtRoughlyTheConfiguredRates() {
        List<String> log = run(1, new NetworkConditions(1, 50, 0.2, 0.1));
        // 200 sent, ~160 survive loss, ~16 of those duplicated
        assertTrue(log.size() > 130 && log.size() < 200, "delivered " + log.size());
    }

    @Test
    void partitionsCutTrafficAndHealingRestoresIt() {
        Simulation sim = new Simulation(1);
        List<String> got = new ArrayList<>();
        SimNetwork<String> net = new SimNetwork<>(sim, NetworkConditions.reliable(), (f, t, m) -> got.add(m));
        net.partition(Set.of("a"), Set.of("b", "c"));
        net.send("a", "b", "cut");
        net.send("b", "c", "same-side");
        sim.runFor(100);
        assertEquals(List.of("same-side"), got);
        net.heal();
        net.send("a", "b", "healed");
        sim.runFor(100);
        assertEquals(List.of("same-side", "healed"), got);
    }

    @Test
    void crashDropsInFlightMessagesAndTimersOfTheOldIncarnation() {
        Simulation sim = new Simulation(1);
        List<String> got = new ArrayList<>();
        SimNetwork<String> net = new SimNetwork<>(sim, new NetworkConditions(10, 10, 0, 0), (f, t, m) -> got.add(m));
        net.send("a", "b", "in-flight");
        net.timer("b", 20, () -> got.add("old-timer"));
        sim.runFor(5);
        net.crash("b");
        net.restart("b");
        net.timer("b", 20, () -> got.add("new-timer"));
        net.send("a", "b", "after-restart");
        sim.runFor(100);
        assertEquals(List.of("after-restart", "new-timer"), got);
    }
}

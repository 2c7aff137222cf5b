package org.agentmesh.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoadBalancerCoreTest {

    private static List<TaskRequirements> tasks(String prefix, int n, String... caps) {
        List<TaskRequirements> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(TaskRequirements.of(prefix + i, 10, caps));
        }
        return l;
    }

    private static AgentLoad load(String id, int capacity, int running, int queued, String... caps) {
        return new AgentLoad(id, List.of(caps), capacity, running, queued, 1, 1, true);
    }

    @Test
    void queuedTasksMoveFromHotToColdFromTheTailUntilTheLevelsMeet() {
        var core = new LoadBalancerCore(LoadBalancerConfig.DEFAULT);
        var agents = List.of(load("hot", 2, 2, 6, "a"), load("cold", 4, 0, 0, "a"), load("warm", 4, 2, 0, "a"));
        List<Migrate> m = core.round(agents, Map.of("hot", tasks("h", 6, "a")));
        // hot 8/2 slots, cold 0/4: after k moves hot is (8-k)/2, cold k/4; cold may not pass hot: k <= 5.
        // warm (0.5) is not cold and receives nothing.
        assertEquals(List.of(new Migrate("h5", "hot", "cold"), new Migrate("h4", "hot", "cold"),
                new Migrate("h3", "hot", "cold"), new Migrate("h2", "hot", "cold"), new Migrate("h1", "hot", "cold")), m);
        assertEquals(5, core.migrationsDecided());
    }

    @Test
    void capabilitiesAreRespectedAndDeadAgentsIgnored() {
        var core = new LoadBalancerCore(LoadBalancerConfig.DEFAULT);
        var agents = List.of(load("hot", 1, 1, 4, "a", "gpu"), load("cold-cpu", 2, 0, 0, "a"),
                load("cold-gpu", 2, 0, 0, "a", "gpu").withLive(false));
        var queued = new ArrayList<TaskRequirements>();
        queued.addAll(tasks("g", 2, "a", "gpu"));
        queued.addAll(tasks("c", 1, "a"));
        queued.add(TaskRequirements.of("g-last", 10, "a", "gpu"));
        List<Migrate> m = core.round(agents, Map.of("hot", queued));
        assertEquals(List.of(new Migrate("c0", "hot", "cold-cpu")), m, "only the cpu task can move; the gpu agent is dead");
    }

    @Test
    void migrationsPerRoundAreBoundedAndNothingMovesWithoutHotOrCold() {
        var core = new LoadBalancerCore(new LoadBalancerConfig(0.8, 0.3, 3, 0.7));
        var agents = List.of(load("hot", 1, 1, 50, "a"), load("cold", 16, 0, 0, "a"));
        assertEquals(3, core.round(agents, Map.of("hot", tasks("h", 50, "a"))).size());
        var noCold = List.of(load("hot", 1, 1, 50, "a"), load("mid", 4, 2, 0, "a"));
        assertTrue(core.round(noCold, Map.of("hot", tasks("h", 50, "a"))).isEmpty());
        var noHot = List.of(load("mid", 4, 3, 0, "a"), load("cold", 4, 0, 0, "a"));
        assertTrue(core.round(noHot, Map.of()).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new LoadBalancerConfig(0.3, 0.8, 3, 0.7));
    }

    /**
     * Random views: every decided migration is legal (live hot source, live cold capable target, a task queued there,
     * moved once), and each move leaves the target no more loaded than the source (or within its capacity), so the
     * peak load factor never grows. (The standard deviation can grow in corner cases: a 1-slot cold agent taking one
     * task jumps from 0 to 1.0.)
     */
    @Test
    void randomRoundsOnlyMakeLegalMovesThatNeverRaiseThePeak() {
        for (long seed = 1; seed <= 300; seed++) {
            var random = new SplittableRandom(seed);
            try {
                var core = new LoadBalancerCore(LoadBalancerConfig.DEFAULT);
                List<AgentLoad> agents = new ArrayList<>();
                Map<String, List<TaskRequirements>> queued = new HashMap<>();
                int n = random.nextInt(1, 10);
                for (int i = 0; i < n; i++) {
                    String id = "ag" + i;
                    List<String> caps = random.nextBoolean() ? List.of("a", "b") : List.of("a");
                    int cap = random.nextInt(1, 6);
                    int running = random.nextInt(0, cap + 1);
                    int q = running == cap ? random.nextInt(0, 10) : 0;
                    List<TaskRequirements> qs = new ArrayList<>();
                    for (int k = 0; k < q; k++) {
                        qs.add(TaskRequirements.of(id + "-t" + k, 10, random.nextBoolean() ? new String[] {"a"} : new String[] {"a", "b"}));
                    }
                    queued.put(id, qs);
                    agents.add(new AgentLoad(id, caps, cap, running, q, 1, 1, random.nextInt(6) > 0));
                }
                List<Migrate> moves = core.round(agents, queued);
                assertTrue(moves.size() <= LoadBalancerConfig.DEFAULT.maxMigrationsPerRound());
                Map<String, AgentLoad> byId = new HashMap<>();
                agents.forEach(a -> byId.put(a.agentId(), a));
                Map<String, Integer> count = new HashMap<>();
                agents.forEach(a -> count.put(a.agentId(), a.running() + a.queued()));
                java.util.Set<String> moved = new java.util.HashSet<>();
                for (Migrate mv : moves) {
                    AgentLoad from = byId.get(mv.from());
                    AgentLoad to = byId.get(mv.to());
                    assertTrue(from.live() && to.live(), "dead agent in " + mv);
                    assertTrue(from.utilization() > 0.8 && to.utilization() < 0.3, "not hot to cold: " + mv);
                    TaskRequirements t = queued.get(mv.from()).stream().filter(x -> x.taskId().equals(mv.taskId())).findFirst()
                            .orElseThrow(() -> new AssertionError(mv + " moves a task that is not queued there"));
                    assertTrue(moved.add(mv.taskId()), "task moved twice in a round: " + mv);
                    assertTrue(CapabilityMatch.score(t, to) >= 0.7, "incapable target: " + mv);
                    count.merge(mv.from(), -1, Integer::sum);
                    count.merge(mv.to(), 1, Integer::sum);
                    double targetAfter = (double) count.get(mv.to()) / to.capacity();
                    double sourceAfter = (double) count.get(mv.from()) / from.capacity();
                    assertTrue(targetAfter <= Math.max(sourceAfter, 1.0), "target overloaded: " + mv);
                }
                double peakBefore = agents.stream().filter(AgentLoad::live).mapToDouble(AgentLoad::loadFactor).max().orElse(0);
                double peakAfter = agents.stream().filter(AgentLoad::live)
                        .mapToDouble(a -> (double) count.get(a.agentId()) / a.capacity()).max().orElse(0);
                assertTrue(peakAfter <= peakBefore + 1e-12, "peak grew from " + peakBefore + " to " + peakAfter);
            } catch (AssertionError | RuntimeException e) {
                fail("failing seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void loadMetricsComputeSpreadAndHotspots() {
        var m = LoadMetrics.of(List.of(load("a", 1, 1, 3), load("b", 4, 0, 0), load("c", 2, 1, 0), load("d", 1, 1, 0).withLive(false)), 0.8);
        assertEquals(0.5, m.meanUtilization(), 1e-12);
        assertEquals(Math.sqrt((0.25 + 0.25 + 0) / 3), m.utilizationStdDev(), 1e-12);
        assertEquals(List.of("a"), m.hotspots());
    }
}

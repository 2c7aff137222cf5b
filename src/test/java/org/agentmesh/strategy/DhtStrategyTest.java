package org.agentmesh.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DhtStrategyTest {

    private static final int KEYS = 10_000;

    private static List<String> agents(int n, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(prefix + "-agent-" + i);
        }
        return ids;
    }

    private static Map<String, String> owners(DhtStrategy dht, List<String> agents) {
        Map<String, String> m = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            String key = "task-" + k;
            m.put(key, dht.ownerOf(key, agents));
        }
        return m;
    }

    @Test
    void theOwnerIsAFunctionOfTheTaskIdAndTheSetOfCapableLiveAgents() {
        List<String> ids = agents(8, "s");
        List<String> shuffled = new ArrayList<>(ids);
        java.util.Collections.reverse(shuffled);
        var a = new DhtStrategy(AssignmentConfig.DEFAULT);
        var b = new DhtStrategy(AssignmentConfig.DEFAULT);
        assertEquals(owners(a, ids), owners(b, shuffled));
        // through assign(): dead and incapable agents are not on the ring
        var loads = new ArrayList<AgentLoad>();
        for (String id : ids) {
            loads.add(AgentLoad.idle(id, 2, "a"));
        }
        loads.add(AgentLoad.idle("z-dead", 2, "a").withLive(false));
        loads.add(AgentLoad.idle("z-incapable", 2, "b"));
        for (int k = 0; k < 500; k++) {
            var task = TaskRequirements.of("task-" + k, 1, "a");
            var assigned = (Assignment.Assigned) a.assign(task, loads);
            assertEquals(b.ownerOf(task.taskId(), ids), assigned.agentId());
        }
    }

    @Test
    void addingOrRemovingOneAgentOfNMovesAboutOneNthOfTheTasks() {
        for (int n : new int[] {4, 8, 12, 16}) {
            for (long seed = 1; seed <= 5; seed++) {
                String prefix = "n" + n + "s" + seed + "x" + new SplittableRandom(seed).nextInt(1000);
                try {
                    var dht = new DhtStrategy(AssignmentConfig.DEFAULT);
                    List<String> before = agents(n, prefix);
                    Map<String, String> o1 = owners(dht, before);
                    // every agent owns about 1/N
                    Map<String, Integer> share = new HashMap<>();
                    o1.values().forEach(v -> share.merge(v, 1, Integer::sum));
                    for (String id : before) {
                        int owned = share.getOrDefault(id, 0);
                        assertTrue(owned > 0.5 * KEYS / n && owned < 1.6 * KEYS / n, id + " owns " + owned + " of " + KEYS);
                    }
                    // join: only keys that move go to the new agent, about 1/(N+1) of them
                    List<String> joined = new ArrayList<>(before);
                    joined.add(prefix + "-agent-new");
                    Map<String, String> o2 = owners(dht, joined);
                    int moved = 0;
                    for (var e : o1.entrySet()) {
                        String now = o2.get(e.getKey());
                        if (!now.equals(e.getValue())) {
                            moved++;
                            assertEquals(prefix + "-agent-new", now, "a key moved between two old agents");
                        }
                    }
                    double expected = (double) KEYS / (n + 1);
                    assertTrue(moved > 0.5 * expected && moved < 1.6 * expected,
                            "join of 1 to " + n + " moved " + moved + ", expected about " + expected);
                    // leave: only the leaver's keys move
                    List<String> left = new ArrayList<>(before);
                    String leaver = left.remove(n / 2);
                    Map<String, String> o3 = owners(dht, left);
                    int movedOnLeave = 0;
                    for (var e : o1.entrySet()) {
                        if (!o3.get(e.getKey()).equals(e.getValue())) {
                            movedOnLeave++;
                            assertEquals(leaver, e.getValue(), "a key of a remaining agent moved");
                        }
                    }
                    assertEquals(share.get(leaver), movedOnLeave, "exactly the leaver's keys move");
                    assertTrue(movedOnLeave > 0.5 * KEYS / n && movedOnLeave < 1.6 * KEYS / n,
                            "leave of 1 of " + n + " moved " + movedOnLeave);
                    System.out.printf("dht n=%d seed=%d: join moved %.3f (1/(N+1)=%.3f), leave moved %.3f (1/N=%.3f)%n", n,
                            seed, (double) moved / KEYS, 1.0 / (n + 1), (double) movedOnLeave / KEYS, 1.0 / n);
                } catch (AssertionError e) {
                    fail("failing seed " + seed + " (n=" + n + "): " + e.getMessage(), e);
                }
            }
        }
    }
}

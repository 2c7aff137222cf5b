package org.agentmesh.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.agentmesh.strategy.StealMessage.StealDenied;
import org.agentmesh.strategy.StealMessage.StealGranted;
import org.agentmesh.strategy.StealMessage.StealRequest;
import org.agentmesh.strategy.WorkStealingInput.Assign;
import org.agentmesh.strategy.WorkStealingInput.Finished;
import org.agentmesh.strategy.WorkStealingInput.Received;
import org.agentmesh.strategy.WorkStealingInput.Release;
import org.agentmesh.strategy.WorkStealingInput.Tick;
import org.agentmesh.strategy.WorkStealingOutput.Send;
import org.agentmesh.strategy.WorkStealingOutput.Start;
import org.junit.jupiter.api.Test;

class WorkStealingCoreTest {

    private static WorkStealingCore core(String id, int capacity, String... caps) {
        return new WorkStealingCore(id, List.of(caps), capacity, WorkStealingConfig.DEFAULT, new SplittableRandom(7));
    }

    private static QueuedTask task(String id, String... caps) {
        return new QueuedTask(TaskRequirements.of(id, 10, caps), 1);
    }

    private static List<String> started(List<WorkStealingOutput> out) {
        return out.stream().filter(o -> o instanceof Start).map(o -> ((Start) o).task().taskId()).toList();
    }

    private static Send onlySend(List<WorkStealingOutput> out) {
        assertEquals(1, out.size(), () -> "expected one output, got " + out);
        return assertInstanceOf(Send.class, out.get(0));
    }

    @Test
    void theOwnerStartsFromTheHeadAndAThiefStealsFromTheTail() {
        var victim = core("victim", 1, "a");
        assertEquals(List.of("t1"), started(victim.step(new Assign(task("t1", "a")))));
        victim.step(new Assign(task("t2", "a")));
        victim.step(new Assign(task("t3", "a")));
        victim.step(new Assign(task("t4", "a")));
        assertEquals(List.of("t2", "t3", "t4"), victim.queue().stream().map(QueuedTask::taskId).toList());

        var thief = core("thief", 1, "a");
        assertTrue(thief.wantsWork());
        Send request = onlySend(thief.step(new Tick(List.of(victim.load(1, 1, true), thief.load(1, 1, true)))));
        assertEquals("victim", request.to());
        var req = assertInstanceOf(StealRequest.class, request.message());
        assertEquals("thief", req.thief());
        assertEquals(req.requestId(), thief.stealInFlight());

        Send grant = onlySend(victim.step(new Received(req)));
        var granted = assertInstanceOf(StealGranted.class, grant.message());
        assertEquals("t4", granted.task().taskId(), "stolen from the tail");
        assertEquals(2, granted.task().attempt(), "a stolen task gets a new attempt");
        assertEquals(List.of("t2", "t3"), victim.queue().stream().map(QueuedTask::taskId).toList());

        List<WorkStealingOutput> out = thief.step(new Received(granted));
        assertEquals(List.of("t4"), started(out));
        assertEquals(0, thief.stealInFlight());
        assertEquals(1, thief.stealsGranted());

        // the owner keeps draining its head
        assertEquals(List.of("t2"), started(victim.step(new Finished("t1"))));
    }

    @Test
    void aThiefStealsOnlyTasksItCanServeAndPrefersTheMostConstrained() {
        var victim = core("victim", 1, "a", "gpu");
        victim.step(new Assign(task("running", "a")));
        victim.step(new Assign(task("g1", "a", "gpu")));
        victim.step(new Assign(task("plain", "a")));
        victim.step(new Assign(task("g2", "a", "gpu")));
        victim.step(new Assign(task("tail", "a")));

        var cpuThief = core("cpu", 1, "a");
        var r1 = (StealRequest) onlySend(cpuThief.step(new Tick(List.of(victim.load(1, 1, true))))).message();
        var g1 = (StealGranted) onlySend(victim.step(new Received(r1))).message();
        assertEquals("tail", g1.task().taskId());

        var gpuThief = core("gpu", 1, "a", "gpu");
        var r2 = (StealRequest) onlySend(gpuThief.step(new Tick(List.of(victim.load(1, 1, true))))).message();
        var g2 = (StealGranted) onlySend(victim.step(new Received(r2))).message();
        assertEquals("g2", g2.task().taskId(), "the constrained task nearest the tail, not the plain one");

        // take the plain one away; only gpu work is left: the cpu-only thief is denied
        cpuThief.step(new Received(g1));
        cpuThief.step(new Finished("tail"));
        var r3 = (StealRequest) onlySend(cpuThief.step(new Tick(List.of(victim.load(1, 1, true))))).message();
        var g3 = (StealGranted) onlySend(victim.step(new Received(r3))).message();
        assertEquals("plain", g3.task().taskId());
        assertEquals(List.of("plain"), started(cpuThief.step(new Received(g3))));
        cpuThief.step(new Finished("plain"));
        var r4 = (StealRequest) onlySend(cpuThief.step(new Tick(List.of(victim.load(1, 1, true))))).message();
        var denied = assertInstanceOf(StealDenied.class, onlySend(victim.step(new Received(r4))).message());
        assertEquals(1, denied.queued());
        assertEquals(List.of("g1"), victim.queue().stream().map(QueuedTask::taskId).toList());
        // it does not ask the same victim again until the victim's queue grows
        assertTrue(cpuThief.step(new Received(denied)).isEmpty());
        assertTrue(cpuThief.step(new Tick(List.of(victim.load(1, 1, true)))).isEmpty());
        victim.step(new Assign(task("new", "a")));
        assertEquals("victim", onlySend(cpuThief.step(new Tick(List.of(victim.load(1, 1, true))))).to());
    }

    @Test
    void victimsAreTheBusiestLivePeersAndOneRequestIsInFlightAtATime() {
        var thief = new WorkStealingCore("thief", List.of("a"), 2, new WorkStealingConfig(true, 0.7, 2), new SplittableRandom(3));
        var view = List.of(
                new AgentLoad("p-idle", List.of("a"), 1, 0, 0, 1, 1, true),
                new AgentLoad("p-dead", List.of("a"), 1, 1, 50, 1, 1, false),
                new AgentLoad("p-busy", List.of("a"), 1, 1, 9, 1, 1, true),
                new AgentLoad("p-busier-per-slot", List.of("a"), 2, 2, 20, 1, 1, true), // 10 per slot
                new AgentLoad("p-big", List.of("a"), 8, 8, 16, 1, 1, true), // most queued, 2 per slot
                new AgentLoad("thief", List.of("a"), 2, 0, 0, 1, 1, true));
        Send first = onlySend(thief.step(new Tick(view)));
        assertTrue(Set.of("p-busier-per-slot", "p-busy").contains(first.to()), first.to());
        assertTrue(thief.step(new Tick(view)).isEmpty(), "no second request while one is in flight");
        long id = ((StealRequest) first.message()).requestId();
        Map<String, Integer> queuedIn = Map.of("p-busier-per-slot", 20, "p-busy", 9);
        Send second = onlySend(thief.step(new Received(new StealDenied(first.to(), id, queuedIn.get(first.to()), "none"))));
        assertTrue(Set.of("p-busier-per-slot", "p-busy").contains(second.to()) && !second.to().equals(first.to()), second.to());
        long id2 = ((StealRequest) second.message()).requestId();
        assertTrue(thief.step(new Received(new StealDenied(second.to(), id2, queuedIn.get(second.to()), "none"))).isEmpty(),
                "top-2 exhausted");
        assertEquals(0, thief.stealInFlight());
        // after a grant the thief, with a slot still free, asks the same victim again
        Send third = onlySend(thief.step(new Tick(view)));
        assertEquals("p-big", third.to(), "the two that denied are skipped until their queues grow");
        long id3 = ((StealRequest) third.message()).requestId();
        List<WorkStealingOutput> out = thief.step(new Received(new StealGranted("p-big", id3, task("s1", "a").nextAttempt())));
        assertEquals(List.of("s1"), started(out));
        Send again = out.stream().filter(o -> o instanceof Send).map(o -> (Send) o).findFirst().orElseThrow();
        assertEquals("p-big", again.to());
    }

    @Test
    void aMigrationHandsOverOnlyATaskThatHasNotStarted() {
        var hot = core("hot", 1, "a");
        hot.step(new Assign(task("t1", "a")));
        hot.step(new Assign(task("t2", "a")));
        var refused = assertInstanceOf(WorkStealingOutput.ReleaseRefused.class, hot.step(new Release("t1", "cold")).get(0));
        assertEquals("already started", refused.reason());
        Send handoff = onlySend(hot.step(new Release("t2", "cold")));
        var h = assertInstanceOf(StealMessage.Handoff.class, handoff.message());
        assertEquals("cold", handoff.to());
        assertEquals(2, h.task().attempt());
        assertTrue(hot.queue().isEmpty());
        assertEquals("not queued here", ((WorkStealingOutput.ReleaseRefused) hot.step(new Release("t2", "cold")).get(0)).reason());
        var cold = core("cold", 1, "a");
        assertEquals(List.of("t2"), started(cold.step(new Received(h))));
        assertTrue(cold.step(new Received(h)).isEmpty(), "a duplicate handoff is ignored");
    }

    @Test
    void stealingDisabledNeverRequests() {
        var c = new WorkStealingCore("x", List.of("a"), 1, WorkStealingConfig.DISABLED, new SplittableRandom(1));
        assertTrue(c.step(new Tick(List.of(new AgentLoad("y", List.of("a"), 1, 1, 10, 1, 1, true)))).isEmpty());
    }

    /**
     * Random interleavings: agents with random capabilities and capacities, tasks assigned at random times, messages
     * delivered after random delays in any order, random releases (migrations) and finishes. After every event a task
     * is in at most one place (one deque or running on one agent or in flight in one message), never started twice, and
     * at the end every task ran exactly once.
     */
    @Test
    void underRandomInterleavingsATaskIsNeverInTwoPlacesAndRunsExactlyOnce() {
        for (long seed = 1; seed <= 100; seed++) {
            try {
                randomRun(seed);
            } catch (AssertionError | RuntimeException e) {
                fail("failing seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private record InFlight(long at, long seq, String to, StealMessage message) {}

    private static void randomRun(long seed) {
        var random = new SplittableRandom(seed);
        List<String> pool = List.of("a", "b");
        Map<String, WorkStealingCore> cores = new LinkedHashMap<>();
        int n = random.nextInt(2, 7);
        for (int i = 0; i < n; i++) {
            List<String> caps = random.nextBoolean() ? pool : List.of(pool.get(random.nextInt(2)));
            cores.put("ag" + i, new WorkStealingCore("ag" + i, caps, random.nextInt(1, 4), WorkStealingConfig.DEFAULT, random));
        }
        List<InFlight> network = new ArrayList<>();
        Map<String, Integer> starts = new HashMap<>();
        Map<String, List<String>> runningAt = new HashMap<>(); // agent -> running task ids (our bookkeeping)
        int tasks = 0;
        long now = 0;
        long seq = 0;
        Set<String> allTasks = new HashSet<>();
        for (int stepNo = 0; stepNo < 3000; stepNo++) {
            now++;
            int action = random.nextInt(10);
            String agent = "ag" + random.nextInt(n);
            WorkStealingCore core = cores.get(agent);
            List<WorkStealingOutput> out;
            if (action == 0 && tasks < 200) {
                // assign a task to an agent that can serve it
                List<String> req = List.of(pool.get(random.nextInt(2)));
                var capable = cores.values().stream().filter(c -> c.capabilities().containsAll(req)).toList();
                if (capable.isEmpty()) {
                    continue;
                }
                core = capable.get(random.nextInt(capable.size()));
                agent = core.agentId();
                String id = "t" + tasks++;
                allTasks.add(id);
                out = core.step(new Assign(new QueuedTask(new TaskRequirements(id, req, 0, 1), 1)));
            } else if (action <= 3 && !runningAt.getOrDefault(agent, List.of()).isEmpty()) {
                List<String> r = runningAt.get(agent);
                out = core.step(new Finished(r.remove(random.nextInt(r.size()))));
            } else if (action <= 5) {
                List<AgentLoad> view = cores.values().stream().map(c -> c.load(1, 1, true)).toList();
                out = core.step(new Tick(view));
            } else if (action == 6 && !core.queue().isEmpty()) {
                var q = core.queue();
                String target = "ag" + random.nextInt(n);
                QueuedTask victimTask = q.get(random.nextInt(q.size()));
                if (target.equals(agent) || !cores.get(target).capabilities().containsAll(victimTask.task().requiredCapabilities())) {
                    continue;
                }
                out = core.step(new Release(victimTask.taskId(), target));
            } else if (!network.isEmpty()) {
                // deliver a random due message (reordering allowed)
                InFlight m = network.remove(random.nextInt(network.size()));
                agent = m.to();
                core = cores.get(agent);
                out = core.step(new Received(m.message()));
            } else {
                continue;
            }
            for (WorkStealingOutput o : out) {
                if (o instanceof Start s) {
                    int count = starts.merge(s.task().taskId(), 1, Integer::sum);
                    assertEquals(1, count, s.task().taskId() + " started twice");
                    runningAt.computeIfAbsent(agent, k -> new ArrayList<>()).add(s.task().taskId());
                } else if (o instanceof Send send) {
                    network.add(new InFlight(now, seq++, send.to(), send.message()));
                }
            }
            checkSinglePlacement(cores, network, allTasks);
        }
        // drain: deliver everything, finish everything, until quiet
        for (int round = 0; round < 10_000; round++) {
            if (!network.isEmpty()) {
                InFlight m = network.remove(0);
                apply(cores.get(m.to()), m.to(), cores.get(m.to()).step(new Received(m.message())), starts, runningAt, network);
            } else {
                var busy = runningAt.entrySet().stream().filter(e -> !e.getValue().isEmpty()).findFirst();
                if (busy.isEmpty()) {
                    break;
                }
                String ag = busy.get().getKey();
                String t = busy.get().getValue().remove(0);
                apply(cores.get(ag), ag, cores.get(ag).step(new Finished(t)), starts, runningAt, network);
            }
            checkSinglePlacement(cores, network, allTasks);
        }
        for (String t : allTasks) {
            assertEquals(1, starts.getOrDefault(t, 0), t + " ran " + starts.getOrDefault(t, 0) + " times");
        }
    }

    private static void apply(WorkStealingCore core, String agent, List<WorkStealingOutput> out, Map<String, Integer> starts,
            Map<String, List<String>> runningAt, List<InFlight> network) {
        for (WorkStealingOutput o : out) {
            if (o instanceof Start s) {
                assertEquals(1, starts.merge(s.task().taskId(), 1, Integer::sum), s.task().taskId() + " started twice");
                runningAt.computeIfAbsent(agent, k -> new ArrayList<>()).add(s.task().taskId());
            } else if (o instanceof Send send) {
                network.add(new InFlight(0, 0, send.to(), send.message()));
            }
        }
    }

    private static void checkSinglePlacement(Map<String, WorkStealingCore> cores, List<InFlight> network, Set<String> all) {
        Map<String, Integer> places = new HashMap<>();
        for (WorkStealingCore c : cores.values()) {
            c.queue().forEach(q -> places.merge(q.taskId(), 1, Integer::sum));
            c.runningTasks().forEach(q -> places.merge(q.taskId(), 1, Integer::sum));
            for (QueuedTask q : c.queue()) {
                assertTrue(c.capabilities().containsAll(q.task().requiredCapabilities()),
                        c.agentId() + " holds " + q + " it cannot serve");
            }
        }
        for (InFlight m : network) {
            if (m.message() instanceof StealGranted g) {
                places.merge(g.task().taskId(), 1, Integer::sum);
            } else if (m.message() instanceof StealMessage.Handoff h) {
                places.merge(h.task().taskId(), 1, Integer::sum);
            }
        }
        places.forEach((t, k) -> assertTrue(k <= 1, t + " is in " + k + " places"));
    }
}

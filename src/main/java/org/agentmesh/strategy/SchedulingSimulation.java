package org.agentmesh.strategy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.agentmesh.sim.Simulation;
import org.agentmesh.strategy.StealMessage.Handoff;
import org.agentmesh.strategy.StealMessage.StealGranted;
import org.agentmesh.strategy.StealMessage.StealRequest;
import org.agentmesh.swarm.AgentSpec;
import org.agentmesh.swarm.Strategy;

/**
 * Runs the scheduling cores together on {@link Simulation} virtual time, deterministically by seed: a router
 * ({@link AssignmentStrategy}) places every task of a {@link Workload} at time 0, each agent runs a
 * {@link WorkStealingCore} whose started tasks take their estimated cost in virtual milliseconds, steal messages and
 * migration handoffs cross a network with a fixed latency, and optionally a {@link LoadBalancerCore} runs periodically.
 * Used by the tests and by {@code SchedulingSimulationBench}.
 *
 * <p>The harness plays the durable task record: it counts executions per task, remembers each task's latest attempt,
 * and fails the run (throws {@link IllegalStateException}) the moment a task starts twice, starts while it is running
 * elsewhere, or starts under a stale attempt. The load view given to the cores is exact (no gossip staleness).
 */
public final class SchedulingSimulation {

    /** Agents and tasks; every task is submitted at time 0. */
    public record Workload(List<AgentSpec> agents, List<TaskRequirements> tasks) {
        public Workload {
            agents = List.copyOf(agents);
            tasks = List.copyOf(tasks);
        }

        public long totalWorkMillis() {
            return tasks.stream().mapToLong(TaskRequirements::estimatedCostMillis).sum();
        }

        public int totalCapacity() {
            return agents.stream().mapToInt(AgentSpec::capacity).sum();
        }

        /** max(total work / total capacity, longest task): no schedule can finish earlier. */
        public double lowerBoundMillis() {
            long longest = tasks.stream().mapToLong(TaskRequirements::estimatedCostMillis).max().orElse(0);
            return Math.max((double) totalWorkMillis() / totalCapacity(), longest);
        }
    }

    /**
     * @param strategy the router's strategy
     * @param submitTo if not empty, the router sees only these agents (e.g. one agent, to show stealing spreads work)
     * @param networkLatencyMillis one-way delay of every message between agents
     * @param stealTickMillis how often an idle agent looks for a victim (it also looks right after a task finishes)
     * @param balanceIntervalMillis how often the load balancer runs, 0 = never
     * @param sampleIntervalMillis how often load metrics are sampled
     */
    public record Settings(Strategy strategy, List<String> submitTo, AssignmentConfig assignment,
            WorkStealingConfig stealing, LoadBalancerConfig balancer, long networkLatencyMillis, long stealTickMillis,
            long balanceIntervalMillis, long sampleIntervalMillis) {

        public Settings {
            Objects.requireNonNull(strategy, "strategy");
            submitTo = List.copyOf(submitTo);
            Objects.requireNonNull(assignment, "assignment");
            Objects.requireNonNull(stealing, "stealing");
            Objects.requireNonNull(balancer, "balancer");
            if (networkLatencyMillis < 0 || stealTickMillis < 1 || balanceIntervalMillis < 0 || sampleIntervalMillis < 1) {
                throw new IllegalArgumentException("bad timing settings");
            }
        }

        public static Settings of(Strategy strategy, boolean stealing) {
            return new Settings(strategy, List.of(), AssignmentConfig.DEFAULT,
                    stealing ? WorkStealingConfig.DEFAULT : WorkStealingConfig.DISABLED, LoadBalancerConfig.DEFAULT,
                    1, 5, 0, 50);
        }

        public Settings submittingTo(List<String> agents) {
            return new Settings(strategy, agents, assignment, stealing, balancer, networkLatencyMillis, stealTickMillis,
                    balanceIntervalMillis, sampleIntervalMillis);
        }

        public Settings withStealing(WorkStealingConfig config) {
            return new Settings(strategy, submitTo, assignment, config, balancer, networkLatencyMillis, stealTickMillis,
                    balanceIntervalMillis, sampleIntervalMillis);
        }

        public Settings withBalancer(LoadBalancerConfig config) {
            return new Settings(strategy, submitTo, assignment, stealing, config, networkLatencyMillis, stealTickMillis,
                    balanceIntervalMillis, sampleIntervalMillis);
        }

        public Settings balancingEvery(long millis) {
            return new Settings(strategy, submitTo, assignment, stealing, balancer, networkLatencyMillis, stealTickMillis,
                    millis, sampleIntervalMillis);
        }
    }

    /**
     * @param makespanMillis virtual time when the last task finished
     * @param executionsPerAgent tasks each agent executed (started), by agent id
     * @param maxExecutionsOfATask the most times any one task started (1 in a correct run)
     * @param meanUtilizationStdDev the standard deviation of utilization across agents, averaged over samples taken
     *     every {@code sampleIntervalMillis} from time 0 until the last task finished (the samples are
     *     {@code utilizationStdDevSamples})
     * @param migrationsDecided migrations the balancer decided; {@code migrationsDone} of them were carried out
     */
    public record Result(long seed, Strategy strategy, boolean stealing, boolean balancing, int tasks, int accepted,
            int rejected, int completed, long makespanMillis, double lowerBoundMillis, Map<String, Integer> executionsPerAgent,
            int maxExecutionsOfATask, long stealsGranted, long stealsDenied, long migrationsDecided, long migrationsDone,
            double meanUtilizationStdDev, List<Double> utilizationStdDevSamples, long sampleIntervalMillis,
            long simulationSteps) {

        public Result {
            executionsPerAgent = java.util.Collections.unmodifiableMap(new TreeMap<>(executionsPerAgent));
            utilizationStdDevSamples = List.copyOf(utilizationStdDevSamples);
        }

        /**
         * The mean of the utilization standard deviation over the samples taken before {@code millis}: compares two
         * runs over the same window (a run that ends sooner is otherwise averaged over a shorter, busier period).
         */
        public double meanUtilizationStdDevUntil(long millis) {
            int n = (int) Math.min(utilizationStdDevSamples.size(), (millis + sampleIntervalMillis - 1) / sampleIntervalMillis);
            return n == 0 ? 0 : utilizationStdDevSamples.subList(0, n).stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }

        public double makespanRatio() {
            return makespanMillis / lowerBoundMillis;
        }

        public double migrationsPerMinute() {
            return makespanMillis == 0 ? 0 : migrationsDone * 60_000.0 / makespanMillis;
        }

        public boolean everyTaskCompletedOnce() {
            return completed == accepted && maxExecutionsOfATask == 1
                    && executionsPerAgent.values().stream().mapToInt(Integer::intValue).sum() == accepted;
        }
    }

    private final Workload workload;
    private final Settings settings;
    private final Simulation sim;
    private final Map<String, WorkStealingCore> cores = new LinkedHashMap<>();
    private final LoadBalancerCore balancer;
    private final Map<String, Integer> executions = new HashMap<>();
    private final Map<String, Integer> latestAttempt = new HashMap<>();
    private final Map<String, String> runningOn = new HashMap<>();
    private final Map<String, Integer> executionsPerAgent = new TreeMap<>();
    private int accepted;
    private int rejected;
    private int completed;
    private long lastFinish;
    private long migrationsDone;
    private final List<Double> samples = new ArrayList<>();

    private SchedulingSimulation(Workload workload, Settings settings, long seed) {
        this.workload = workload;
        this.settings = settings;
        this.sim = new Simulation(seed);
        for (AgentSpec a : workload.agents()) {
            cores.put(a.id(), new WorkStealingCore(a.id(), a.capabilities(), a.capacity(), settings.stealing(), sim.random()));
            executionsPerAgent.put(a.id(), 0);
        }
        this.balancer = new LoadBalancerCore(settings.balancer());
    }

    public static Result run(Workload workload, Settings settings, long seed) {
        return new SchedulingSimulation(workload, settings, seed).execute();
    }

    private Result execute() {
        AssignmentStrategy router = AssignmentStrategy.of(settings.strategy(), settings.assignment(), sim.random());
        for (TaskRequirements task : workload.tasks()) {
            List<AgentLoad> view = view();
            if (!settings.submitTo().isEmpty()) {
                view = view.stream().filter(a -> settings.submitTo().contains(a.agentId())).toList();
            }
            Assignment a = router.assign(task, view);
            if (a instanceof Assignment.Assigned as) {
                accepted++;
                latestAttempt.put(task.taskId(), 1);
                apply(as.agentId(), cores.get(as.agentId()).step(new WorkStealingInput.Assign(new QueuedTask(task, 1))));
            } else {
                rejected++;
            }
        }
        if (settings.stealing().enabled()) {
            for (String id : cores.keySet()) {
                sim.schedule(0, () -> stealTick(id, true));
            }
        }
        if (settings.balanceIntervalMillis() > 0) {
            sim.schedule(settings.balanceIntervalMillis(), this::balanceRound);
        }
        sim.schedule(0, this::sample);
        long deadline = (long) (workload.totalWorkMillis() + workload.lowerBoundMillis()) + 60_000;
        sim.runUntil(this::done, deadline);
        int maxExec = executions.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        long granted = cores.values().stream().mapToLong(WorkStealingCore::stealsGranted).sum();
        long denied = cores.values().stream().mapToLong(WorkStealingCore::stealsDenied).sum();
        return new Result(sim.seed(), settings.strategy(), settings.stealing().enabled(), settings.balanceIntervalMillis() > 0,
                workload.tasks().size(), accepted, rejected, completed, lastFinish, workload.lowerBoundMillis(),
                executionsPerAgent, maxExec, granted, denied, balancer.migrationsDecided(), migrationsDone,
                samples.isEmpty() ? 0 : samples.stream().mapToDouble(Double::doubleValue).average().orElse(0), samples,
                settings.sampleIntervalMillis(), sim.steps());
    }

    private boolean done() {
        return completed == accepted;
    }

    private List<AgentLoad> view() {
        List<AgentLoad> v = new ArrayList<>(cores.size());
        for (WorkStealingCore c : cores.values()) {
            v.add(c.load(1.0, 1.0, true));
        }
        return v;
    }

    private void apply(String agent, List<WorkStealingOutput> outputs) {
        for (WorkStealingOutput o : outputs) {
            if (o instanceof WorkStealingOutput.Start s) {
                start(agent, s.task());
            } else if (o instanceof WorkStealingOutput.Send send) {
                StealMessage m = send.message();
                if (m instanceof StealGranted g) {
                    latestAttempt.put(g.task().taskId(), g.task().attempt());
                } else if (m instanceof Handoff h) {
                    latestAttempt.put(h.task().taskId(), h.task().attempt());
                    migrationsDone++;
                }
                String to = send.to();
                sim.schedule(settings.networkLatencyMillis(),
                        () -> apply(to, cores.get(to).step(new WorkStealingInput.Received(m))));
                if (m instanceof StealRequest r) {
                    sim.schedule(10 * settings.networkLatencyMillis() + 10,
                            () -> apply(agent, cores.get(agent).step(new WorkStealingInput.StealTimedOut(r.requestId()))));
                }
            }
            // ReleaseRefused: the migration was stale (task started meanwhile); nothing to do
        }
    }

    private void start(String agent, QueuedTask q) {
        String id = q.taskId();
        if (runningOn.containsKey(id)) {
            throw new IllegalStateException("seed " + sim.seed() + ": " + id + " started on " + agent + " while running on "
                    + runningOn.get(id));
        }
        if (executions.getOrDefault(id, 0) > 0) {
            throw new IllegalStateException("seed " + sim.seed() + ": " + id + " started a second time, on " + agent);
        }
        if (q.attempt() != latestAttempt.get(id)) {
            throw new IllegalStateException("seed " + sim.seed() + ": " + id + " started under stale attempt " + q.attempt()
                    + ", latest " + latestAttempt.get(id));
        }
        executions.merge(id, 1, Integer::sum);
        executionsPerAgent.merge(agent, 1, Integer::sum);
        runningOn.put(id, agent);
        sim.schedule(q.task().estimatedCostMillis(), () -> {
            runningOn.remove(id);
            completed++;
            lastFinish = sim.now();
            WorkStealingCore core = cores.get(agent);
            apply(agent, core.step(new WorkStealingInput.Finished(id)));
            if (settings.stealing().enabled() && core.wantsWork()) {
                stealTick(agent, false);
            }
        });
    }

    private void stealTick(String agent, boolean periodic) {
        if (done()) {
            return;
        }
        apply(agent, cores.get(agent).step(new WorkStealingInput.Tick(view())));
        if (periodic) {
            sim.schedule(settings.stealTickMillis(), () -> stealTick(agent, true));
        }
    }

    private void balanceRound() {
        if (done()) {
            return;
        }
        Map<String, List<TaskRequirements>> queued = new HashMap<>();
        for (WorkStealingCore c : cores.values()) {
            queued.put(c.agentId(), c.queue().stream().map(QueuedTask::task).toList());
        }
        for (Migrate m : balancer.round(view(), queued)) {
            // the Migrate travels to the source agent, which hands the task over only if it has not started
            sim.schedule(settings.networkLatencyMillis(), () -> apply(m.from(),
                    cores.get(m.from()).step(new WorkStealingInput.Release(m.taskId(), m.to()))));
        }
        sim.schedule(settings.balanceIntervalMillis(), this::balanceRound);
    }

    private void sample() {
        if (done()) {
            return;
        }
        samples.add(LoadMetrics.of(view(), settings.balancer().hotThreshold()).utilizationStdDev());
        sim.schedule(settings.sampleIntervalMillis(), this::sample);
    }
}

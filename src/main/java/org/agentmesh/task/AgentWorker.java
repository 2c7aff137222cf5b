package org.agentmesh.task;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.agentmesh.metrics.MeshMetrics;
import org.agentmesh.serialization.CborSerializable;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.strategy.QueuedTask;
import org.agentmesh.strategy.StealMessage;
import org.agentmesh.strategy.TaskRequirements;
import org.agentmesh.strategy.WorkStealingConfig;
import org.agentmesh.strategy.WorkStealingCore;
import org.agentmesh.strategy.WorkStealingInput;
import org.agentmesh.strategy.WorkStealingOutput;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The working side of an agent peer: the thin actor shell of its {@link WorkStealingCore} (the work-stealing deque,
 * its slots, whom to steal from), which also runs the attempts the core starts. One sharding entity per agent
 * (entity id {@code swarmId:agentId}), beside the agent's persistent identity ({@code AgentEntity}).
 *
 * <p>Nothing here is persisted: the task entities are the truth. The worker renews the lease of every task it holds
 * (queued or running) by heartbeats; if the worker dies with its node, the leases expire and the tasks are assigned
 * again. When the core hands a queued task to a thief (a steal) or to a cold agent (a load-balancer migration), the
 * shell first has the task entity record the move under a new attempt number, and only then passes the task on, so a
 * task never runs twice at once. External tasks wait here for a claim and are neither stolen nor migrated.
 */
public final class AgentWorker extends AbstractBehavior<AgentWorker.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "AgentWorker");

    public static String entityId(String swarmId, String agentId) {
        return swarmId + ":" + agentId;
    }

    // ---- protocol

    public sealed interface Command extends CborSerializable {}

    /** The task entity assigned {@code attempt} of a task to this agent. */
    public record Enqueue(String taskId, int attempt, TaskSpec spec) implements Command {}

    /** The task is done, failed, cancelled or reassigned: drop it if still here, free its slot if running. */
    public record Settled(String taskId, int attempt) implements Command {}

    /** A message between two workers' cores; {@code spec} travels with a task that changes hands (else empty). */
    public record Steal(StealMessage message, TaskSpec spec) implements Command {}

    /** Load balancing: hand queued task {@code taskId} to agent {@code to} if it has not started; the reply says whether it moved. */
    public record Release(String taskId, String to, ActorRef<StealReply> replyTo) implements Command {}

    public record StealReply(boolean granted, String taskId, int attempt, String reason) implements CborSerializable {}

    /** The tasks waiting in the queue, head first, for the load balancer to plan with. */
    public record GetQueue(ActorRef<QueuedTasks> replyTo) implements Command {}

    public record QueuedTasks(String agentId, List<TaskRequirements> tasks) implements CborSerializable {}

    public record GetLoad(ActorRef<Load> replyTo) implements Command {}

    /** {@code resourceAvailability}: the free share of its node's JVM heap, the one resource every agent draws on. */
    public record Load(String agentId, int capacity, int running, int queued, long executed, long succeeded, long stolen,
            long givenAway, double resourceAvailability) implements CborSerializable {}

    /** An outside agent claims the next {@code external} task queued here. */
    public record Claim(ActorRef<ClaimReply> replyTo) implements Command {}

    public record ClaimReply(boolean claimed, String taskId, int attempt, TaskSpec spec) implements CborSerializable {}

    /** A message for this agent from another agent or a client (the seed's daa_communication); acknowledged on arrival. */
    public record Deliver(String from, String body, long sentAtMillis, ActorRef<Delivered> replyTo) implements Command {}

    public record Delivered(String agentId, int inboxSize) implements CborSerializable {}

    /** The last messages delivered to this agent, oldest first. */
    public record GetInbox(ActorRef<Inbox> replyTo) implements Command {}

    public record Inbox(String agentId, List<Message> messages, long received) implements CborSerializable {}

    public record Message(String from, String body, long sentAtMillis, long receivedAtMillis) implements CborSerializable {}

    record Profile(List<String> capabilities, int capacity) implements Command {}

    record Peers(List<AgentLoad> peers) implements Command {}

    record ExecutionDone(String taskId, int attempt, TaskResult result) implements Command {}

    /** The task entity's answer to a move the core made: pass the task on under {@code reply.attempt()} or report the refusal. */
    record MoveDecided(TaskEntity.MoveReply reply, String to, StealMessage granted, String releaseTaskId,
            ActorRef<StealReply> balancer) implements Command {}

    record StealTimeout(long requestId) implements Command {}

    enum Tick implements Command { HEARTBEAT, STEAL, PROFILE }

    /** Tunables, from {@code agent-mesh.tasks} and {@code agent-mesh.scheduling}. */
    public record Settings(Duration heartbeat, Duration stealInterval, Duration stealTimeout, WorkStealingConfig stealing) {}

    private record External(String taskId, int attempt, TaskSpec spec) {}

    // ---- behaviour

    public static Behavior<Command> create(String entityId, AgentView view, Map<String, TaskExecutor> executors, Settings settings,
            MeshMetrics metrics) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new AgentWorker(ctx, timers, entityId, view, executors, settings, metrics)));
    }

    private static final int INBOX_SIZE = 100;

    private final TimerScheduler<Command> timers;
    private final String swarmId;
    private final String agentId;
    private final AgentView view;
    private final Map<String, TaskExecutor> executors;
    private final Settings settings;
    private final MeshMetrics metrics;
    private final ClusterSharding sharding;
    private final Executor blocking;

    /** Created once the agent's capabilities and capacity are known; until then assignments wait in {@code early}. */
    private WorkStealingCore core;
    private final List<Enqueue> early = new ArrayList<>();
    /** The spec of every task the core holds or this shell runs, by task id (the core only knows requirements). */
    private final Map<String, TaskSpec> specs = new HashMap<>();
    private final Map<String, Integer> runningAttempt = new HashMap<>();
    private final Map<String, Long> startedNanos = new HashMap<>();
    /** Balancer releases waiting for the task entity's answer, by task id. */
    private final Map<String, ActorRef<StealReply>> releases = new HashMap<>();
    private final ArrayDeque<External> externalQueue = new ArrayDeque<>();
    private final Map<String, Integer> externalRunning = new HashMap<>();
    private final ArrayDeque<Message> inbox = new ArrayDeque<>();
    private long received;
    private long executed;
    private long succeeded;

    private AgentWorker(ActorContext<Command> ctx, TimerScheduler<Command> timers, String entityId, AgentView view,
            Map<String, TaskExecutor> executors, Settings settings, MeshMetrics metrics) {
        super(ctx);
        this.timers = timers;
        this.swarmId = entityId.substring(0, entityId.indexOf(':'));
        this.agentId = entityId.substring(entityId.indexOf(':') + 1);
        this.view = view;
        this.executors = executors;
        this.settings = settings;
        this.metrics = metrics;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        timers.startTimerWithFixedDelay(Tick.HEARTBEAT, settings.heartbeat());
        if (settings.stealing().enabled()) {
            timers.startTimerWithFixedDelay(Tick.STEAL, settings.stealInterval());
        }
        loadProfile();
    }

    private void loadProfile() {
        getContext().pipeToSelf(view.agents(swarmId), (agents, error) -> {
            if (error == null) {
                for (AgentLoad a : agents) {
                    if (a.agentId().equals(agentId)) {
                        return new Profile(a.capabilities(), a.capacity());
                    }
                }
            }
            return Tick.PROFILE;
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Enqueue.class, this::onEnqueue)
                .onMessage(Settled.class, this::onSettled)
                .onMessage(ExecutionDone.class, this::onDone)
                .onMessage(Steal.class, this::onSteal)
                .onMessage(Release.class, this::onRelease)
                .onMessage(MoveDecided.class, this::onMoveDecided)
                .onMessage(StealTimeout.class, t -> step(new WorkStealingInput.StealTimedOut(t.requestId())))
                .onMessage(GetQueue.class, r -> {
                    List<TaskRequirements> waiting = core == null ? List.of()
                            : core.queue().stream().map(QueuedTask::task).toList();
                    r.replyTo().tell(new QueuedTasks(agentId, waiting));
                    return this;
                })
                .onMessage(GetLoad.class, r -> {
                    r.replyTo().tell(load());
                    return this;
                })
                .onMessage(Claim.class, this::onClaim)
                .onMessage(Deliver.class, d -> {
                    inbox.addLast(new Message(d.from(), d.body(), d.sentAtMillis(), System.currentTimeMillis()));
                    received++;
                    while (inbox.size() > INBOX_SIZE) {
                        inbox.removeFirst();
                    }
                    d.replyTo().tell(new Delivered(agentId, inbox.size()));
                    return this;
                })
                .onMessage(GetInbox.class, g -> {
                    g.replyTo().tell(new Inbox(agentId, List.copyOf(inbox), received));
                    return this;
                })
                .onMessage(Profile.class, this::onProfile)
                .onMessageEquals(Tick.PROFILE, () -> {
                    timers.startSingleTimer(Tick.PROFILE + "-retry", Tick.PROFILE, Duration.ofSeconds(1));
                    loadProfile();
                    return this;
                })
                .onMessageEquals(Tick.HEARTBEAT, this::onHeartbeat)
                .onMessageEquals(Tick.STEAL, this::onStealTick)
                .onMessage(Peers.class, p -> step(new WorkStealingInput.Tick(p.peers())))
                .build();
    }

    private Behavior<Command> onProfile(Profile p) {
        if (core == null) {
            core = new WorkStealingCore(agentId, p.capabilities(), Math.max(1, p.capacity()), settings.stealing(),
                    new java.util.SplittableRandom());
            List<Enqueue> waiting = List.copyOf(early);
            early.clear();
            waiting.forEach(this::onEnqueue);
        }
        return this;
    }

    Load load() {
        Runtime rt = Runtime.getRuntime();
        double freeHeap = 1.0 - (double) (rt.totalMemory() - rt.freeMemory()) / rt.maxMemory();
        int running = (core == null ? 0 : core.runningCount()) + externalRunning.size();
        int queued = (core == null ? early.size() : core.queuedCount()) + externalQueue.size();
        int capacity = core == null ? 1 : core.capacity();
        long stolen = core == null ? 0 : core.stealsGranted();
        long given = core == null ? 0 : core.tasksGivenAway();
        return new Load(agentId, capacity, running, queued, executed, succeeded, stolen, given, Math.max(0.0, Math.min(1.0, freeHeap)));
    }

    private EntityRef<TaskEntity.Command> task(String taskId) {
        return sharding.entityRefFor(TaskEntity.TYPE_KEY, TaskEntity.entityId(swarmId, taskId));
    }

    private EntityRef<Command> peer(String agent) {
        return sharding.entityRefFor(TYPE_KEY, entityId(swarmId, agent));
    }

    private static TaskRequirements requirements(String taskId, TaskSpec spec) {
        return new TaskRequirements(taskId, spec.requiredCapabilities(), spec.priority(), spec.estimatedCostMillis());
    }

    private Behavior<Command> onEnqueue(Enqueue e) {
        if (e.spec().executor().equals("external")) {
            if (!externalRunning.containsKey(e.taskId()) && externalQueue.stream().noneMatch(x -> x.taskId().equals(e.taskId()))) {
                externalQueue.addLast(new External(e.taskId(), e.attempt(), e.spec()));
            }
            return this;
        }
        if (core == null) {
            early.add(e);
            return this;
        }
        specs.put(e.taskId(), e.spec());
        return step(new WorkStealingInput.Assign(new QueuedTask(requirements(e.taskId(), e.spec()), e.attempt())));
    }

    /** Feeds the core and carries out what it says. */
    private Behavior<Command> step(WorkStealingInput input) {
        if (core == null) {
            return this;
        }
        for (WorkStealingOutput out : core.step(input)) {
            if (out instanceof WorkStealingOutput.Start s) {
                start(s.task());
            } else if (out instanceof WorkStealingOutput.Send send) {
                send(send.to(), send.message());
            } else if (out instanceof WorkStealingOutput.ReleaseRefused r) {
                ActorRef<StealReply> balancer = releases.remove(r.taskId());
                if (balancer != null) {
                    balancer.tell(new StealReply(false, r.taskId(), 0, r.reason()));
                }
            }
        }
        return this;
    }

    private void send(String to, StealMessage message) {
        if (message instanceof StealMessage.StealRequest req) {
            peer(to).tell(new Steal(req, emptySpec()));
            timers.startSingleTimer("steal-" + req.requestId(), new StealTimeout(req.requestId()), settings.stealTimeout());
        } else if (message instanceof StealMessage.StealGranted granted) {
            // the core gave a queued task away: the task entity records the move before the thief may run it
            recordMove(to, granted, granted.task(), true, "");
        } else if (message instanceof StealMessage.Handoff handoff) {
            recordMove(to, handoff, handoff.task(), false, handoff.task().taskId());
        } else {
            peer(to).tell(new Steal(message, emptySpec()));
        }
    }

    private void recordMove(String to, StealMessage message, QueuedTask task, boolean stolen, String releaseTaskId) {
        ActorRef<StealReply> balancer = releaseTaskId.isEmpty() ? getContext().getSystem().ignoreRef()
                : releases.getOrDefault(releaseTaskId, getContext().getSystem().ignoreRef());
        getContext().ask(TaskEntity.MoveReply.class, task(task.taskId()), settings.stealTimeout(),
                replyTo -> new TaskEntity.Move(agentId, to, task.attempt() - 1, stolen, replyTo),
                (reply, error) -> new MoveDecided(error == null ? reply : new TaskEntity.MoveReply(false, 0, String.valueOf(error)),
                        to, message, releaseTaskId, balancer));
    }

    private Behavior<Command> onMoveDecided(MoveDecided m) {
        releases.remove(m.releaseTaskId());
        QueuedTask task = m.granted() instanceof StealMessage.StealGranted g ? g.task() : ((StealMessage.Handoff) m.granted()).task();
        TaskSpec spec = specs.remove(task.taskId());
        if (!m.reply().moved() || spec == null) {
            // the task changed hands meanwhile (settled, or reassigned after a lost lease): its entity knows where it is
            if (m.granted() instanceof StealMessage.StealGranted g) {
                peer(m.to()).tell(new Steal(new StealMessage.StealDenied(agentId, g.requestId(), core.queuedCount(),
                        "the task changed hands"), emptySpec()));
            }
            m.balancer().tell(new StealReply(false, task.taskId(), 0, m.reply().reason()));
            return this;
        }
        QueuedTask moved = new QueuedTask(task.task(), m.reply().attempt());
        StealMessage pass = m.granted() instanceof StealMessage.StealGranted g
                ? new StealMessage.StealGranted(agentId, g.requestId(), moved)
                : new StealMessage.Handoff(agentId, moved);
        peer(m.to()).tell(new Steal(pass, spec));
        m.balancer().tell(new StealReply(true, task.taskId(), moved.attempt(), ""));
        return this;
    }

    private Behavior<Command> onSteal(Steal s) {
        if (s.message() instanceof StealMessage.StealGranted g) {
            specs.put(g.task().taskId(), s.spec());
            timers.cancel("steal-" + g.requestId());
        } else if (s.message() instanceof StealMessage.Handoff h) {
            specs.put(h.task().taskId(), s.spec());
        } else if (s.message() instanceof StealMessage.StealDenied d) {
            timers.cancel("steal-" + d.requestId());
        }
        return step(new WorkStealingInput.Received(s.message()));
    }

    private Behavior<Command> onRelease(Release r) {
        if (core == null) {
            r.replyTo().tell(new StealReply(false, r.taskId(), 0, "worker not started"));
            return this;
        }
        releases.put(r.taskId(), r.replyTo());
        return step(new WorkStealingInput.Release(r.taskId(), r.to()));
    }

    private void start(QueuedTask q) {
        TaskSpec spec = specs.get(q.taskId());
        runningAttempt.put(q.taskId(), q.attempt());
        startedNanos.put(q.taskId(), System.nanoTime());
        task(q.taskId()).tell(new TaskEntity.Started(agentId, q.attempt()));
        TaskExecutor executor = spec == null ? null : executors.get(spec.executor());
        if (executor == null) {
            getContext().getSelf().tell(new ExecutionDone(q.taskId(), q.attempt(), TaskResult.failed(
                    "no executor '" + (spec == null ? "?" : spec.executor()) + "' on this node", NullNode.getInstance())));
            return;
        }
        CompletionStage<TaskResult> attempt;
        try {
            attempt = executor.execute(spec, new TaskExecutor.Context(swarmId, agentId, q.attempt(), blocking)).toCompletableFuture()
                    .orTimeout(spec.timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(attempt, (result, error) -> new ExecutionDone(q.taskId(), q.attempt(), error == null ? result
                : TaskResult.failed(error instanceof TimeoutException ? "timed out after " + spec.timeoutMillis() + " ms"
                        : String.valueOf(error), NullNode.getInstance())));
    }

    private Behavior<Command> onDone(ExecutionDone d) {
        Integer attempt = runningAttempt.get(d.taskId());
        if (attempt == null || attempt != d.attempt()) {
            return this; // settled (cancelled, reassigned) meanwhile: the result is not ours to report
        }
        runningAttempt.remove(d.taskId());
        TaskSpec spec = specs.remove(d.taskId());
        executed++;
        if (d.result().success()) {
            succeeded++;
        }
        Long began = startedNanos.remove(d.taskId());
        metrics.attemptExecuted(swarmId, spec == null ? "?" : spec.executor(), d.result().success(),
                Duration.ofNanos(began == null ? 0 : System.nanoTime() - began));
        task(d.taskId()).tell(new TaskEntity.Finish(agentId, d.attempt(), d.result(), getContext().getSystem().ignoreRef()));
        step(new WorkStealingInput.Finished(d.taskId()));
        stealIfIdle();
        return this;
    }

    private Behavior<Command> onSettled(Settled s) {
        externalQueue.removeIf(x -> x.taskId().equals(s.taskId()));
        externalRunning.remove(s.taskId());
        Integer attempt = runningAttempt.get(s.taskId());
        if (attempt != null && attempt <= s.attempt()) {
            runningAttempt.remove(s.taskId());
            startedNanos.remove(s.taskId());
        }
        if (specs.remove(s.taskId()) != null) {
            step(new WorkStealingInput.Withdraw(s.taskId()));
        }
        return this;
    }

    private Behavior<Command> onClaim(Claim c) {
        External next = externalQueue.pollFirst();
        if (next == null) {
            c.replyTo().tell(new ClaimReply(false, "", 0, emptySpec()));
            return this;
        }
        externalRunning.put(next.taskId(), next.attempt());
        task(next.taskId()).tell(new TaskEntity.Started(agentId, next.attempt()));
        c.replyTo().tell(new ClaimReply(true, next.taskId(), next.attempt(), next.spec()));
        return this;
    }

    private static TaskSpec emptySpec() {
        return new TaskSpec("", List.of(), 0, 0, JsonNodeFactory.instance.objectNode(), "external", 0, 1, "", "");
    }

    private Behavior<Command> onHeartbeat() {
        if (core != null) {
            for (QueuedTask q : core.queue()) {
                task(q.taskId()).tell(new TaskEntity.Heartbeat(agentId, q.attempt()));
            }
        }
        runningAttempt.forEach((taskId, attempt) -> task(taskId).tell(new TaskEntity.Heartbeat(agentId, attempt)));
        for (External x : externalQueue) {
            task(x.taskId()).tell(new TaskEntity.Heartbeat(agentId, x.attempt()));
        }
        // a claimed external attempt is kept alive by its external agent's own heartbeats
        return this;
    }

    /** A slot just freed and nothing is queued: look for work now rather than at the next tick. */
    private void stealIfIdle() {
        if (settings.stealing().enabled() && core != null && core.wantsWork() && core.stealInFlight() == 0) {
            getContext().getSelf().tell(Tick.STEAL);
        }
    }

    private Behavior<Command> onStealTick() {
        if (core == null || !core.wantsWork() || core.stealInFlight() != 0) {
            return this;
        }
        getContext().pipeToSelf(view.agents(swarmId), (agents, error) -> new Peers(error == null ? agents : List.of()));
        return this;
    }

    /** Test hook: the queue as the core holds it. */
    List<String> queuedIds() {
        List<String> ids = new ArrayList<>();
        if (core != null) {
            for (Iterator<QueuedTask> it = core.queue().iterator(); it.hasNext(); ) {
                ids.add(it.next().taskId());
            }
        }
        return ids;
    }
}

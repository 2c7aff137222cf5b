package org.agentmesh.task;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.agentmesh.serialization.CborSerializable;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.strategy.CapabilityMatch;
import org.agentmesh.strategy.TaskRequirements;
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
 * The working side of an agent peer: its work-stealing queue and the attempts it runs. One sharding entity per agent
 * (entity id {@code swarmId:agentId}), beside the agent's persistent identity ({@code AgentEntity}).
 *
 * <p>Nothing here is persisted: the task entities are the truth. The worker renews the lease of every task it holds
 * (queued or running) by heartbeats; if the worker dies with its node, the leases expire and the tasks are assigned
 * again. The owner takes from the head of the queue (highest priority first); an idle worker steals from the tail of
 * the busiest peers' queues: the victim hands over only a task that has not started, and the task entity records the
 * move with a new attempt number before the thief may run it, so a task never runs twice at once.
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

    /** The task is done, failed or cancelled: drop it if still here, free its slot if running. */
    public record Settled(String taskId, int attempt) implements Command {}

    /** A thief asks for a queued task it can serve; the reply hands over one (removed from this queue) or none. */
    public record StealRequest(String thiefId, List<String> thiefCapabilities, ActorRef<StealReply> replyTo) implements Command {}

    public record StealReply(boolean granted, String taskId, int attempt, TaskSpec spec) implements CborSerializable {}

    /** Load balancing: give up queued task {@code taskId} if it has not started; the reply hands it over or not. */
    public record Release(String taskId, ActorRef<StealReply> replyTo) implements Command {}

    /** The tasks waiting in the queue, head first, for the load balancer to plan with. */
    public record GetQueue(ActorRef<QueuedTasks> replyTo) implements Command {}

    public record QueuedTasks(String agentId, List<TaskRequirements> tasks) implements CborSerializable {}

    public record GetLoad(ActorRef<Load> replyTo) implements Command {}

    /** A message for this agent from another agent or a client (the seed's daa_communication); acknowledged on arrival. */
    public record Deliver(String from, String body, long sentAtMillis, ActorRef<Delivered> replyTo) implements Command {}

    public record Delivered(String agentId, int inboxSize) implements CborSerializable {}

    /** The last messages delivered to this agent, oldest first. */
    public record GetInbox(ActorRef<Inbox> replyTo) implements Command {}

    public record Inbox(String agentId, List<Message> messages, long received) implements CborSerializable {}

    public record Message(String from, String body, long sentAtMillis, long receivedAtMillis) implements CborSerializable {}

    /** An outside agent claims the next {@code external} task queued here. */
    public record Claim(ActorRef<ClaimReply> replyTo) implements Command {}

    public record ClaimReply(boolean claimed, String taskId, int attempt, TaskSpec spec) implements CborSerializable {}

    /** Queue and slots as the worker sees them, plus how much it has done. */
    /** {@code resourceAvailability}: the free share of its node's JVM heap, the one resource every agent draws on. */
    public record Load(String agentId, int capacity, int running, int queued, long executed, long succeeded, long stolen,
            long givenAway, double resourceAvailability) implements CborSerializable {}

    record Profile(List<String> capabilities, int capacity) implements Command {}

    record ExecutionDone(String taskId, int attempt, TaskResult result) implements Command {}

    record StealAnswered(StealReply reply, String victim) implements Command {}

    record MoveAnswered(TaskEntity.MoveReply reply, StealReply task, String victim) implements Command {}

    enum Tick implements Command { HEARTBEAT, STEAL, PROFILE }

    /** Tunables, from {@code agent-mesh.tasks} and {@code agent-mesh.scheduling}. */
    public record Settings(Duration heartbeat, Duration stealInterval, boolean stealing, int stealVictims,
            double capabilityThreshold, Duration stealTimeout) {}

    private record Queued(String taskId, int attempt, TaskSpec spec) {}

    // ---- behaviour

    public static Behavior<Command> create(String entityId, AgentView view, Map<String, TaskExecutor> executors, Settings settings,
            org.agentmesh.metrics.MeshMetrics metrics) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new AgentWorker(ctx, timers, entityId, view, executors, settings, metrics)));
    }

    private final TimerScheduler<Command> timers;
    private final String swarmId;
    private final String agentId;
    private final AgentView view;
    private final Map<String, TaskExecutor> executors;
    private final Settings settings;
    private final ClusterSharding sharding;
    private final Executor blocking;

    private List<String> capabilities = List.of();
    private int capacity = 1;
    private boolean profileKnown;
    /** One deque per priority, index 9 = highest. Owner takes from the head of the highest; thieves from the tail of the lowest. */
    private final List<ArrayDeque<Queued>> queue = new ArrayList<>();
    private final Map<String, Integer> running = new HashMap<>();
    private boolean stealInFlight;
    /** The last messages delivered to the agent; not persisted (a mailbox, not a log). */
    private static final int INBOX_SIZE = 100;
    private final ArrayDeque<Message> inbox = new ArrayDeque<>();
    private long received;
    private long executed;
    private long succeeded;
    private long stolen;
    private long givenAway;

    private final org.agentmesh.metrics.MeshMetrics metrics;
    /** When each running attempt started, for the attempt timer. */
    private final Map<String, Long> startedNanos = new HashMap<>();
    private final Map<String, String> executorOf = new HashMap<>();

    private AgentWorker(ActorContext<Command> ctx, TimerScheduler<Command> timers, String entityId, AgentView view,
            Map<String, TaskExecutor> executors, Settings settings, org.agentmesh.metrics.MeshMetrics metrics) {
        super(ctx);
        this.metrics = metrics;
        this.timers = timers;
        this.swarmId = entityId.substring(0, entityId.indexOf(':'));
        this.agentId = entityId.substring(entityId.indexOf(':') + 1);
        this.view = view;
        this.executors = executors;
        this.settings = settings;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        for (int p = 0; p < 10; p++) {
            queue.add(new ArrayDeque<>());
        }
        timers.startTimerWithFixedDelay(Tick.HEARTBEAT, settings.heartbeat());
        if (settings.stealing()) {
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
                .onMessage(StealRequest.class, r -> {
                    r.replyTo().tell(giveAway(r.thiefCapabilities(), r.thiefId()));
                    return this;
                })
                .onMessage(Release.class, r -> {
                    r.replyTo().tell(release(r.taskId()));
                    return this;
                })
                .onMessage(GetQueue.class, r -> {
                    List<TaskRequirements> waiting = new ArrayList<>();
                    for (int p = 9; p >= 0; p--) {
                        for (Queued q : queue.get(p)) {
                            waiting.add(new TaskRequirements(q.taskId(), q.spec().requiredCapabilities(), q.spec().priority(),
                                    q.spec().estimatedCostMillis()));
                        }
                    }
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
                .onMessage(Profile.class, p -> {
                    capabilities = p.capabilities();
                    capacity = Math.max(1, p.capacity());
                    profileKnown = true;
                    runWhatFits();
                    return this;
                })
                .onMessageEquals(Tick.PROFILE, () -> {
                    timers.startSingleTimer(Tick.PROFILE + "-retry", Tick.PROFILE, Duration.ofSeconds(1));
                    return this;
                })
                .onMessageEquals(Tick.HEARTBEAT, this::onHeartbeat)
                .onMessageEquals(Tick.STEAL, this::onStealTick)
                .onMessage(Victims.class, this::onVictims)
                .onMessage(StealAnswered.class, this::onStealAnswered)
                .onMessage(MoveAnswered.class, this::onMoveAnswered)
                .build();
    }

    Load load() {
        Runtime rt = Runtime.getRuntime();
        double freeHeap = 1.0 - (double) (rt.totalMemory() - rt.freeMemory()) / rt.maxMemory();
        return new Load(agentId, capacity, running.size(), queuedCount(), executed, succeeded, stolen, givenAway,
                Math.max(0.0, Math.min(1.0, freeHeap)));
    }

    private int queuedCount() {
        int n = 0;
        for (ArrayDeque<Queued> q : queue) {
            n += q.size();
        }
        return n;
    }

    private EntityRef<TaskEntity.Command> task(String taskId) {
        return sharding.entityRefFor(TaskEntity.TYPE_KEY, TaskEntity.entityId(swarmId, taskId));
    }

    private Behavior<Command> onEnqueue(Enqueue e) {
        if (running.containsKey(e.taskId()) || contains(e.taskId(), e.attempt())) {
            return this;
        }
        queue.get(e.spec().priority()).addLast(new Queued(e.taskId(), e.attempt(), e.spec()));
        runWhatFits();
        return this;
    }

    private boolean contains(String taskId, int attempt) {
        for (ArrayDeque<Queued> q : queue) {
            for (Queued x : q) {
                if (x.taskId().equals(taskId) && x.attempt() == attempt) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Starts queued attempts (highest priority first) while slots are free; external tasks wait for a claim. */
    private void runWhatFits() {
        if (!profileKnown) {
            return;
        }
        for (int p = 9; p >= 0 && running.size() < capacity; p--) {
            Iterator<Queued> it = queue.get(p).iterator();
            while (it.hasNext() && running.size() < capacity) {
                Queued q = it.next();
                if (q.spec().executor().equals("external")) {
                    continue;
                }
                it.remove();
                start(q);
            }
        }
    }

    private void start(Queued q) {
        running.put(q.taskId(), q.attempt());
        startedNanos.put(q.taskId(), System.nanoTime());
        executorOf.put(q.taskId(), q.spec().executor());
        task(q.taskId()).tell(new TaskEntity.Started(agentId, q.attempt()));
        TaskExecutor executor = executors.get(q.spec().executor());
        if (executor == null) {
            getContext().getSelf().tell(new ExecutionDone(q.taskId(), q.attempt(),
                    TaskResult.failed("no executor '" + q.spec().executor() + "' on this node", com.fasterxml.jackson.databind.node.NullNode.getInstance())));
            return;
        }
        TaskExecutor.Context context = new TaskExecutor.Context(swarmId, agentId, q.attempt(), blocking);
        java.util.concurrent.CompletionStage<TaskResult> attempt;
        try {
            attempt = executor.execute(q.spec(), context).toCompletableFuture()
                    .orTimeout(q.spec().timeoutMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            attempt = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(attempt, (result, error) -> new ExecutionDone(q.taskId(), q.attempt(), error == null ? result
                : TaskResult.failed(error instanceof java.util.concurrent.TimeoutException
                        ? "timed out after " + q.spec().timeoutMillis() + " ms" : String.valueOf(error), com.fasterxml.jackson.databind.node.NullNode.getInstance())));
    }

    private Behavior<Command> onDone(ExecutionDone d) {
        Integer attempt = running.get(d.taskId());
        if (attempt == null || attempt != d.attempt()) {
            return this; // settled (cancelled) meanwhile: the result is not ours to report
        }
        running.remove(d.taskId());
        executed++;
        Long began = startedNanos.remove(d.taskId());
        metrics.attemptExecuted(swarmId, executorOf.getOrDefault(d.taskId(), "?"), d.result().success(),
                java.time.Duration.ofNanos(began == null ? 0 : System.nanoTime() - began));
        executorOf.remove(d.taskId());
        if (d.result().success()) {
            succeeded++;
        }
        task(d.taskId()).tell(new TaskEntity.Finish(agentId, d.attempt(), d.result(), getContext().getSystem().ignoreRef()));
        runWhatFits();
        stealIfIdle();
        return this;
    }

    private Behavior<Command> onSettled(Settled s) {
        Integer attempt = running.get(s.taskId());
        if (attempt != null && attempt == s.attempt()) {
            running.remove(s.taskId());
        }
        for (ArrayDeque<Queued> q : queue) {
            q.removeIf(x -> x.taskId().equals(s.taskId()));
        }
        runWhatFits();
        return this;
    }

    private Behavior<Command> onClaim(Claim c) {
        for (int p = 9; p >= 0; p--) {
            Iterator<Queued> it = queue.get(p).iterator();
            while (it.hasNext()) {
                Queued q = it.next();
                if (q.spec().executor().equals("external")) {
                    it.remove();
                    running.put(q.taskId(), q.attempt());
                    task(q.taskId()).tell(new TaskEntity.Started(agentId, q.attempt()));
                    c.replyTo().tell(new ClaimReply(true, q.taskId(), q.attempt(), q.spec()));
                    return this;
                }
            }
        }
        c.replyTo().tell(new ClaimReply(false, "", 0, emptySpec()));
        return this;
    }

    private static TaskSpec emptySpec() {
        return new TaskSpec("", List.of(), 0, 0, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), "external", 0, 1, "", "");
    }

    private StealReply release(String taskId) {
        for (ArrayDeque<Queued> q : queue) {
            Iterator<Queued> it = q.iterator();
            while (it.hasNext()) {
                Queued x = it.next();
                if (x.taskId().equals(taskId)) {
                    it.remove();
                    givenAway++;
                    return new StealReply(true, x.taskId(), x.attempt(), x.spec());
                }
            }
        }
        return new StealReply(false, "", 0, emptySpec()); // started or gone meanwhile
    }

    /** Takes the lowest-priority, most recently queued task the receiver can serve from the tail; none if there is none. */
    private StealReply giveAway(List<String> receiverCapabilities, String receiver) {
        if (receiver.equals(agentId)) {
            return new StealReply(false, "", 0, emptySpec());
        }
        for (int p = 0; p < 10; p++) {
            Iterator<Queued> it = queue.get(p).descendingIterator();
            while (it.hasNext()) {
                Queued q = it.next();
                if (CapabilityMatch.score(q.spec().requiredCapabilities(), receiverCapabilities) >= settings.capabilityThreshold()) {
                    it.remove();
                    givenAway++;
                    return new StealReply(true, q.taskId(), q.attempt(), q.spec());
                }
            }
        }
        return new StealReply(false, "", 0, emptySpec());
    }

    private Behavior<Command> onHeartbeat() {
        for (ArrayDeque<Queued> q : queue) {
            for (Queued x : q) {
                task(x.taskId()).tell(new TaskEntity.Heartbeat(agentId, x.attempt()));
            }
        }
        running.forEach((taskId, attempt) -> task(taskId).tell(new TaskEntity.Heartbeat(agentId, attempt)));
        return this;
    }

    /** A slot just freed and nothing is queued: look for work now rather than at the next tick. */
    private void stealIfIdle() {
        if (settings.stealing() && !stealInFlight && running.size() < capacity && queuedCount() == 0) {
            getContext().getSelf().tell(Tick.STEAL);
        }
    }

    /** Idle (a free slot, nothing queued): ask the busiest peers for work. One steal at a time. */
    private Behavior<Command> onStealTick() {
        if (stealInFlight || !profileKnown || running.size() >= capacity || queuedCount() > 0) {
            return this;
        }
        stealInFlight = true;
        getContext().pipeToSelf(view.agents(swarmId), (agents, error) -> {
            if (error != null) {
                return new StealAnswered(new StealReply(false, "", 0, emptySpec()), "");
            }
            // busiest first by queued tasks per slot, as the scheduling core ranks victims
            List<AgentLoad> victims = agents.stream()
                    .filter(a -> a.live() && !a.agentId().equals(agentId) && a.queued() > 0)
                    .sorted(Comparator.comparingDouble((AgentLoad a) -> -(double) a.queued() / a.capacity())
                            .thenComparing(AgentLoad::agentId))
                    .limit(settings.stealVictims())
                    .toList();
            return new Victims(victims);
        });
        return this;
    }

    record Victims(List<AgentLoad> victims) implements Command {}

    private Behavior<Command> onVictims(Victims v) {
        if (v.victims().isEmpty()) {
            stealInFlight = false;
            return this;
        }
        // ask the busiest first; on a refusal the next tick tries again with a fresher view
        String victim = v.victims().get(0).agentId();
        EntityRef<Command> ref = sharding.entityRefFor(TYPE_KEY, entityId(swarmId, victim));
        getContext().ask(StealReply.class, ref, settings.stealTimeout(),
                replyTo -> new StealRequest(agentId, capabilities, replyTo),
                (reply, error) -> new StealAnswered(error == null ? reply : new StealReply(false, "", 0, emptySpec()), victim));
        return this;
    }

    private Behavior<Command> onStealAnswered(StealAnswered a) {
        if (!a.reply().granted()) {
            stealInFlight = false;
            return this;
        }
        StealReply got = a.reply();
        getContext().ask(TaskEntity.MoveReply.class, task(got.taskId()), Duration.ofSeconds(5),
                replyTo -> new TaskEntity.Move(a.victim(), agentId, got.attempt(), true, replyTo),
                (reply, error) -> new MoveAnswered(error == null ? reply : new TaskEntity.MoveReply(false, 0, String.valueOf(error)), got, a.victim()));
        return this;
    }

    private Behavior<Command> onMoveAnswered(MoveAnswered m) {
        stealInFlight = false;
        if (m.reply().moved()) {
            stolen++;
            queue.get(m.task().spec().priority()).addLast(new Queued(m.task().taskId(), m.reply().attempt(), m.task().spec()));
            runWhatFits();
            stealIfIdle();
        }
        // not moved: the task changed hands meanwhile (settled or reassigned); its entity knows where it is
        return this;
    }
}

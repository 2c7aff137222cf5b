package org.agentmesh.task;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A task: one Cluster Sharding entity per task (entity id {@code swarmId:taskId}), event-sourced, the single source
 * of truth about where the task is and whether it is done. Its shard is the hash of its id and shards are placed on
 * nodes by {@link ConsistentHashAllocation}: the DHT.
 *
 * <p>Every assignment carries an attempt number; an agent's report for any other attempt is ignored, so a late result
 * of an old attempt cannot complete the task twice. An agent that holds the task (queued or running) renews a lease
 * by heartbeats; when the lease expires (the agent or its node died) the task is assigned again. Sharding remembers
 * unfinished tasks, so after a crash they come back by themselves and keep enforcing their leases. A finished task
 * passivates and is forgotten by sharding; its history stays in the journal, where {@link TaskQueries} reads it.
 */
public final class TaskEntity extends EventSourcedBehavior<TaskEntity.Command, TaskEntity.Event, TaskEntity.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Task");

    public static String entityId(String swarmId, String taskId) {
        return swarmId + ":" + taskId;
    }

    public enum Phase { NEW, PENDING, ASSIGNED, RUNNING, COMPLETED, FAILED, CANCELLED;
        public boolean terminal() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }
    }

    // ---- protocol

    public sealed interface Command extends CborSerializable {}

    /**
     * Records a new task with the route the submitter already chose (routing before waking the entity means a task no
     * agent can serve is refused without writing anything).
     */
    public record Submit(String swarmId, TaskSpec spec, TaskRouter.Route route, ActorRef<SubmitReply> replyTo) implements Command {}

    /** The agent started running {@code attempt}. */
    public record Started(String agentId, int attempt) implements Command {}

    /** The agent still holds {@code attempt} (queued or running): renews the lease. */
    public record Heartbeat(String agentId, int attempt) implements Command {}

    /** Progress of a running attempt (0..1), e.g. reported by an external agent. */
    public record Progress(String agentId, int attempt, double fraction, String note, ActorRef<Ack> replyTo) implements Command {}

    /** The attempt finished, successfully or not. */
    public record Finish(String agentId, int attempt, TaskResult result, ActorRef<Ack> replyTo) implements Command {}

    /** Moves a queued, not started task from one agent to another (work stealing or load balancing). */
    public record Move(String from, String to, int attempt, boolean stolen, ActorRef<MoveReply> replyTo) implements Command {}

    public record Cancel(ActorRef<Ack> replyTo) implements Command {}

    /** Recovery of a failed agent: if {@code agentId} still holds the task, assign it again now rather than at lease expiry. */
    public record Reassign(String agentId, String reason) implements Command {}
    /** The failure detector confirmed {@code agentId} failed: if it still holds {@code attempt}, re-dispatch now. */
    public record HolderFailed(String agentId, int attempt) implements Command {}

    public record Get(ActorRef<State> replyTo) implements Command {}

    /** The router's answer when the task needed a new agent (a retry or a lost lease). */
    record Routed(TaskRouter.Decision decision) implements Command {}

    record RouteFailed(String error) implements Command {}

    enum LeaseTick implements Command { INSTANCE }

    public sealed interface SubmitReply extends CborSerializable {}

    public record Accepted(State task) implements SubmitReply {}

    /** The id is taken by a different task. */
    public record IdConflict(String taskId) implements SubmitReply {}

    public record Ack(boolean accepted, String reason) implements CborSerializable {}

    public record MoveReply(boolean moved, int attempt, String reason) implements CborSerializable {}

    // ---- events and state

    public sealed interface Event extends CborSerializable {}

    public record Submitted(String swarmId, TaskSpec spec, long atMillis) implements Event {}

    public record Assigned(String agentId, int attempt, String reason) implements Event {}

    public record AttemptStarted(String agentId, int attempt, long atMillis) implements Event {}

    public record Progressed(int attempt, double fraction, String note) implements Event {}

    public record Completed(String agentId, int attempt, TaskResult result, long atMillis) implements Event {}

    /** The attempt ended without success; the task goes back to PENDING. {@code countsAsFailure}: false for a lost lease. */
    public record Retried(String agentId, int attempt, String reason, boolean countsAsFailure) implements Event {}

    public record Failed(int attempt, String reason, long atMillis) implements Event {}

    public record Stolen(String from, String to, int attempt) implements Event {}

    public record Migrated(String from, String to, int attempt) implements Event {}

    public record Cancelled(long atMillis) implements Event {}

    public record State(
            Phase phase,
            String swarmId,
            TaskSpec spec,
            String agentId,
            int attempt,
            int failures,
            int executions,
            double progress,
            TaskResult result,
            long submittedAtMillis,
            long finishedAtMillis) implements CborSerializable {

        static State empty(String taskId) {
            return new State(Phase.NEW, "", new TaskSpec(taskId, List.of(), 0, 0, JsonNodeFactory.instance.objectNode(),
                    "sleep", 0, 1, "", ""), "", 0, 0, 0, 0.0, TaskResult.ok(JsonNodeFactory.instance.nullNode()), 0, 0);
        }

        State with(Phase p, String agent, int att) {
            return new State(p, swarmId, spec, agent, att, failures, executions, progress, result, submittedAtMillis, finishedAtMillis);
        }
    }

    /** Tunables, from {@code agent-mesh.tasks}, and where to count what happens. */
    public record Settings(Duration lease, int maxAttempts, org.agentmesh.metrics.MeshMetrics metrics) {}

    // ---- behaviour

    public static Behavior<Command> create(String entityId, ActorRef<ClusterSharding.ShardCommand> shard, TaskRouter router,
            Settings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new TaskEntity(ctx, timers, entityId, shard, router, settings)));
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final String taskId;
    private final String swarmIdOfEntity;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final TaskRouter router;
    private final Settings settings;
    private final ClusterSharding sharding;
    /** When the holder of the current attempt was last heard of (not persisted: a recovered task grants a fresh lease). */
    private long lastHeardNanos = System.nanoTime();
    private boolean routing;

    private TaskEntity(ActorContext<Command> ctx, TimerScheduler<Command> timers, String entityId,
            ActorRef<ClusterSharding.ShardCommand> shard, TaskRouter router, Settings settings) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId));
        this.ctx = ctx;
        this.timers = timers;
        this.taskId = entityId.substring(entityId.indexOf(':') + 1);
        this.swarmIdOfEntity = entityId.substring(0, entityId.indexOf(':'));
        this.shard = shard;
        this.router = router;
        this.settings = settings;
        this.sharding = ClusterSharding.get(ctx.getSystem());
    }

    @Override
    public State emptyState() {
        return State.empty(taskId);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.phase() == Phase.PENDING) {
                        route(state);
                    } else if (state.phase() == Phase.ASSIGNED || state.phase() == Phase.RUNNING) {
                        renewLease();
                    } else if (state.phase().terminal()) {
                        passivate();
                    }
                })
                .build();
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Submit.class, this::onSubmit)
                .onCommand(Routed.class, this::onRouted)
                .onCommand(RouteFailed.class, (s, c) -> {
                    routing = false;
                    ctx.getLog().warn("task {}: routing failed ({}), trying again in {}", taskId, c.error(), settings.lease());
                    timers.startSingleTimer(LeaseTick.INSTANCE, settings.lease());
                    return Effect().none();
                })
                .onCommand(Started.class, this::onStarted)
                .onCommand(Heartbeat.class, (s, c) -> {
                    if (holds(s, c.agentId(), c.attempt())) {
                        renewLease();
                    }
                    return Effect().none();
                })
                .onCommand(Progress.class, (s, c) -> holds(s, c.agentId(), c.attempt()) && s.phase() == Phase.RUNNING
                        ? Effect().persist(new Progressed(c.attempt(), Math.max(0, Math.min(1, c.fraction())), c.note()))
                                .thenRun(st -> renewLease()).thenReply(c.replyTo(), st -> new Ack(true, ""))
                        : Effect().reply(c.replyTo(), new Ack(false, stale(s, c.agentId(), c.attempt()))))
                .onCommand(Finish.class, this::onFinish)
                .onCommand(Move.class, this::onMove)
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Get.class, (s, c) -> {
                    c.replyTo().tell(s);
                    if (s.phase() == Phase.NEW || s.phase().terminal()) {
                        passivate();
                    }
                    return Effect().none();
                })
                .onCommand(LeaseTick.class, this::onLeaseTick)
                .onCommand(Reassign.class, (s, c) -> {
                    if (routing || (s.phase() != Phase.ASSIGNED && s.phase() != Phase.RUNNING) || !s.agentId().equals(c.agentId())) {
                        return Effect().none();
                    }
                    return Effect().persist(new Retried(s.agentId(), s.attempt(), c.reason(), false))
                            .thenRun(st -> settings.metrics().taskRetried(st.swarmId(), true)).thenRun(st -> route(st));
                })
                .onCommand(HolderFailed.class, this::onHolderFailed)
                .build();
    }

    private boolean holds(State s, String agent, int attempt) {
        return (s.phase() == Phase.ASSIGNED || s.phase() == Phase.RUNNING) && s.agentId().equals(agent) && s.attempt() == attempt;
    }

    private static String stale(State s, String agent, int attempt) {
        return "task is " + s.phase().name().toLowerCase() + " at attempt " + s.attempt() + " on '" + s.agentId()
                + "'; report was for attempt " + attempt + " on '" + agent + "'";
    }

    private Effect<Event, State> onSubmit(State s, Submit c) {
        if (s.phase() != Phase.NEW) {
            boolean same = s.spec().equals(c.spec()) && s.swarmId().equals(c.swarmId());
            return Effect().reply(c.replyTo(), same ? new Accepted(s) : new IdConflict(taskId));
        }
        Submitted submitted = new Submitted(c.swarmId(), c.spec(), System.currentTimeMillis());
        Assigned assigned = new Assigned(c.route().agentId(), 1, c.route().reason());
        return Effect().persist(List.of(submitted, assigned)).thenRun(st -> {
            settings.metrics().taskSubmitted(st.swarmId());
            enqueue(st);
            c.replyTo().tell(new Accepted(st));
        });
    }

    /** Asks the router for a new agent, preferring another than the last; the answer comes back as {@link Routed}. */
    private void route(State s) {
        routing = true;
        Set<String> exclude = s.agentId().isEmpty() ? Set.of() : Set.of(s.agentId());
        ctx.pipeToSelf(router.route(s.swarmId(), s.spec(), exclude), (decision, error) -> error == null
                ? new Routed(decision)
                : new RouteFailed(String.valueOf(error)));
    }

    private Effect<Event, State> onRouted(State s, Routed c) {
        routing = false;
        if (s.phase() != Phase.PENDING) {
            return Effect().none(); // cancelled meanwhile
        }
        if (c.decision() instanceof TaskRouter.NoCapableAgent no) {
            // the agents that could serve it are gone for now: try again after a lease period
            ctx.getLog().info("task {}: {}; trying again in {}", taskId, no.reason(), settings.lease());
            timers.startSingleTimer(LeaseTick.INSTANCE, settings.lease());
            return Effect().none();
        }
        TaskRouter.Route route = (TaskRouter.Route) c.decision();
        return Effect().persist(new Assigned(route.agentId(), s.attempt() + 1, route.reason())).thenRun(this::enqueue);
    }

    private void enqueue(State s) {
        renewLease();
        worker(s.swarmId(), s.agentId()).tell(new AgentWorker.Enqueue(taskId, s.attempt(), s.spec()));
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<AgentWorker.Command> worker(String swarmId, String agentId) {
        return sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, agentId));
    }

    private Effect<Event, State> onStarted(State s, Started c) {
        if (!holds(s, c.agentId(), c.attempt()) || s.phase() == Phase.RUNNING) {
            return Effect().none();
        }
        return Effect().persist(new AttemptStarted(c.agentId(), c.attempt(), System.currentTimeMillis())).thenRun(st -> renewLease());
    }

    private Effect<Event, State> onFinish(State s, Finish c) {
        if (!holds(s, c.agentId(), c.attempt())) {
            return Effect().reply(c.replyTo(), new Ack(false, stale(s, c.agentId(), c.attempt())));
        }
        long now = System.currentTimeMillis();
        if (c.result().success()) {
            return Effect().persist(new Completed(c.agentId(), c.attempt(), c.result(), now))
                    .thenRun(st -> settings.metrics().taskCompleted(st.swarmId(), Duration.ofMillis(st.finishedAtMillis() - st.submittedAtMillis())))
                    .thenRun(this::settled)
                    .thenReply(c.replyTo(), st -> new Ack(true, ""));
        }
        if (s.failures() + 1 > s.spec().maxRetries()) {
            return Effect().persist(new Failed(c.attempt(), c.result().error(), now))
                    .thenRun(st -> settings.metrics().taskFailed(st.swarmId())).thenRun(this::settled)
                    .thenReply(c.replyTo(), st -> new Ack(true, "failed for good after " + (s.failures() + 1) + " failed attempts"));
        }
        return Effect().persist(new Retried(c.agentId(), c.attempt(), c.result().error(), true))
                .thenRun(st -> settings.metrics().taskRetried(st.swarmId(), false)).thenRun(st -> route(st))
                .thenReply(c.replyTo(), st -> new Ack(true, "will retry"));
    }

    private Effect<Event, State> onMove(State s, Move c) {
        if (s.phase() != Phase.ASSIGNED || !s.agentId().equals(c.from()) || s.attempt() != c.attempt()) {
            return Effect().reply(c.replyTo(), new MoveReply(false, s.attempt(), stale(s, c.from(), c.attempt())));
        }
        Event moved = c.stolen() ? new Stolen(c.from(), c.to(), s.attempt() + 1) : new Migrated(c.from(), c.to(), s.attempt() + 1);
        return Effect().persist(moved).thenRun(st -> renewLease()).thenRun(st -> settings.metrics().taskMoved(st.swarmId(), c.stolen())).thenReply(c.replyTo(), st -> new MoveReply(true, st.attempt(), ""));
    }

    private Effect<Event, State> onCancel(State s, Cancel c) {
        if (s.phase() == Phase.NEW || s.phase().terminal()) {
            passivate();
            return Effect().reply(c.replyTo(), new Ack(false, s.phase() == Phase.NEW ? "no such task" : "task is already " + s.phase().name().toLowerCase()));
        }
        return Effect().persist(new Cancelled(System.currentTimeMillis())).thenRun(this::settled).thenReply(c.replyTo(), st -> new Ack(true, ""));
    }

    private Effect<Event, State> onLeaseTick(State s, LeaseTick t) {
        if (routing) {
            return Effect().none();
        }
        if (s.phase() == Phase.PENDING) {
            route(s);
            return Effect().none();
        }
        if (s.phase() != Phase.ASSIGNED && s.phase() != Phase.RUNNING) {
            return Effect().none();
        }
        long silentMillis = (System.nanoTime() - lastHeardNanos) / 1_000_000;
        if (silentMillis < settings.lease().toMillis()) {
            timers.startSingleTimer(LeaseTick.INSTANCE, settings.lease().minusMillis(silentMillis).plusMillis(10));
            return Effect().none();
        }
        if (s.attempt() >= settings.maxAttempts()) {
            return Effect().persist(new Failed(s.attempt(), "gave up after " + s.attempt() + " attempts", System.currentTimeMillis()))
                    .thenRun(this::settled);
        }
        ctx.getLog().info("task {}: lease of agent {} (attempt {}) expired after {} ms, reassigning", taskId, s.agentId(), s.attempt(), silentMillis);
        return Effect().persist(new Retried(s.agentId(), s.attempt(), "lease expired after " + silentMillis + " ms", false))
                .thenRun(st -> settings.metrics().taskRetried(st.swarmId(), true)).thenRun(st -> route(st));
    }

    /** Like an expired lease, but at once: the holder was confirmed failed by a quorum of its peers. */
    private Effect<Event, State> onHolderFailed(State s, HolderFailed c) {
        if (routing || !holds(s, c.agentId(), c.attempt())) {
            return Effect().none();
        }
        if (s.attempt() >= settings.maxAttempts()) {
            return Effect().persist(new Failed(s.attempt(), "gave up after " + s.attempt() + " attempts", System.currentTimeMillis()))
                    .thenRun(this::settled);
        }
        ctx.getLog().info("task {}: agent {} (attempt {}) confirmed failed, reassigning", taskId, c.agentId(), c.attempt());
        return Effect().persist(new Retried(s.agentId(), s.attempt(), "agent " + c.agentId() + " confirmed failed", false))
                .thenRun(st -> route(st));
    }

    private void renewLease() {
        lastHeardNanos = System.nanoTime();
        timers.startSingleTimer(LeaseTick.INSTANCE, settings.lease().plusMillis(10));
    }

    /** Tells the holder the task is settled (so it frees the slot or drops it from its queue), then passivates. */
    private void settled(State s) {
        timers.cancel(LeaseTick.INSTANCE);
        if (!s.agentId().isEmpty()) {
            worker(s.swarmId(), s.agentId()).tell(new AgentWorker.Settled(taskId, s.attempt()));
        }
        passivate();
    }

    private void passivate() {
        shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(TaskEntity::apply);
    }

    /** Tags every event with its swarm, so {@link TaskQueries} can list a swarm's tasks in one query. */
    @Override
    public java.util.Set<String> tagsFor(Event event) {
        return java.util.Set.of(tag(swarmIdOfEntity));
    }

    public static String tag(String swarmId) {
        return "tasks-" + swarmId;
    }

    /** The state after {@code e}: the one fold of the task's history, used by the entity and by queries. */
    public static State apply(State s, Event e) {
        if (e instanceof Submitted x) {
            return new State(Phase.PENDING, x.swarmId(), x.spec(), "", 0, 0, 0, 0.0, s.result(), x.atMillis(), 0);
        }
        if (e instanceof Assigned x) {
            return s.with(Phase.ASSIGNED, x.agentId(), x.attempt());
        }
        if (e instanceof AttemptStarted x) {
            return new State(Phase.RUNNING, s.swarmId(), s.spec(), s.agentId(), s.attempt(), s.failures(), s.executions() + 1,
                    0.0, s.result(), s.submittedAtMillis(), 0);
        }
        if (e instanceof Progressed x) {
            return new State(s.phase(), s.swarmId(), s.spec(), s.agentId(), s.attempt(), s.failures(), s.executions(),
                    x.fraction(), s.result(), s.submittedAtMillis(), 0);
        }
        if (e instanceof Completed x) {
            return new State(Phase.COMPLETED, s.swarmId(), s.spec(), s.agentId(), s.attempt(), s.failures(), s.executions(),
                    1.0, x.result(), s.submittedAtMillis(), x.atMillis());
        }
        if (e instanceof Retried x) {
            return new State(Phase.PENDING, s.swarmId(), s.spec(), s.agentId(), s.attempt(),
                    s.failures() + (x.countsAsFailure() ? 1 : 0), s.executions(), 0.0, s.result(), s.submittedAtMillis(), 0);
        }
        if (e instanceof Failed x) {
            return new State(Phase.FAILED, s.swarmId(), s.spec(), s.agentId(), s.attempt(), s.failures() + 1, s.executions(),
                    s.progress(), TaskResult.failed(x.reason(), JsonNodeFactory.instance.nullNode()), s.submittedAtMillis(), x.atMillis());
        }
        if (e instanceof Stolen x) {
            return s.with(Phase.ASSIGNED, x.to(), x.attempt());
        }
        if (e instanceof Migrated x) {
            return s.with(Phase.ASSIGNED, x.to(), x.attempt());
        }
        Cancelled x = (Cancelled) e;
        return new State(Phase.CANCELLED, s.swarmId(), s.spec(), s.agentId(), s.attempt(), s.failures(), s.executions(),
                s.progress(), s.result(), s.submittedAtMillis(), x.atMillis());
    }
}

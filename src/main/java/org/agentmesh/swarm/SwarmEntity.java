package org.agentmesh.swarm;

import java.util.ArrayList;
import java.util.List;
import org.agentmesh.memory.RaftGroup;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * A swarm: one Cluster Sharding entity per swarm id, event-sourced. It records the swarm's configuration and
 * membership, and makes sure every member agent is started.
 *
 * <p>Sharding remembers active swarms; when a swarm recovers (on another node after a crash, or after a full
 * restart) it sends every member a {@link AgentEntity.Start}, which the agent treats as a no-op if it is already
 * running. A shut-down swarm passivates and is forgotten; its id may be used again.
 */
public final class SwarmEntity extends EventSourcedBehavior<SwarmEntity.Command, SwarmEntity.Event, SwarmEntity.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Swarm");

    // ---- protocol

    public sealed interface Command extends CborSerializable {}

    public record Create(SwarmSpec spec, ActorRef<CreateReply> replyTo) implements Command {}

    public record Get(ActorRef<GetReply> replyTo) implements Command {}

    /** Marks the swarm shut down; the caller then retires the members it gets back. */
    public record ShutDown(ActorRef<GetReply> replyTo) implements Command {}

    public sealed interface CreateReply extends CborSerializable {}

    public record Created(SwarmSpec spec) implements CreateReply {}

    public record AlreadyExists(String swarmId) implements CreateReply {}

    public sealed interface GetReply extends CborSerializable {}

    /** The swarm as recorded: its spec (with its current members as {@code spec.agents}) and when it was created. */
    public record Found(SwarmSpec spec, long createdAtMillis) implements GetReply {}

    public record NotFound(String swarmId) implements GetReply {}

    // ---- events and state

    public sealed interface Event extends CborSerializable {}

    public record SwarmCreated(SwarmSpec spec, long atMillis) implements Event {}

    public record SwarmShutDown(long atMillis) implements Event {}

    /** {@code spec} is empty (no agents, id "") until the swarm is created. */
    public record State(boolean active, SwarmSpec spec, long createdAtMillis) implements CborSerializable {}

    // ---- behaviour

    /**
     * @param companions behaviours that live beside an active swarm (its load balancer), as children of this entity:
     *     one per swarm in the cluster, moving with it
     */
    public static Behavior<Command> create(String swarmId, ActorRef<ClusterSharding.ShardCommand> shard,
            java.util.function.Function<String, List<Behavior<?>>> companions) {
        return Behaviors.setup(ctx -> new SwarmEntity(ctx, swarmId, shard, companions));
    }

    private final ActorContext<Command> ctx;
    private final String swarmId;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final ClusterSharding sharding;

    private final java.util.function.Function<String, List<Behavior<?>>> companions;
    private boolean companionsStarted;

    private SwarmEntity(ActorContext<Command> ctx, String swarmId, ActorRef<ClusterSharding.ShardCommand> shard,
            java.util.function.Function<String, List<Behavior<?>>> companions) {
        super(PersistenceId.of(TYPE_KEY.name(), swarmId));
        this.companions = companions;
        this.ctx = ctx;
        this.swarmId = swarmId;
        this.shard = shard;
        this.sharding = ClusterSharding.get(ctx.getSystem());
    }

    @Override
    public State emptyState() {
        return new State(false, new SwarmSpec(swarmId, Topology.MESH, 1, Strategy.CAPABILITY, List.of()), 0);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.active()) {
                        startMembers(state.spec());
                        startRaftGroup(state);
                    }
                })
                .build();
    }

    private void startMembers(SwarmSpec spec) {
        if (!companionsStarted) {
            companionsStarted = true;
            int i = 0;
            for (Behavior<?> companion : companions.apply(spec.id())) {
                ctx.spawn(companion, "companion-" + i++);
            }
        }
        for (AgentSpec agent : spec.agents()) {
            sharding.entityRefFor(AgentEntity.TYPE_KEY, AgentEntity.entityId(spec.id(), agent.id()))
                    .tell(new AgentEntity.Start(spec.id(), agent, ctx.getSystem().ignoreRef()));
        }
        org.agentmesh.proposals.SwarmProposals.wakeCommittee(ctx.getSystem(), spec.id(), memberIds(spec));
    }

    /** The swarm's Raft group (its mesh memory); the creation time tells it apart from an older swarm of the same id. */
    private void startRaftGroup(State state) {
        RaftGroup.start(sharding, state.spec().id(), state.createdAtMillis(), memberIds(state.spec()),
                ctx.getSystem().settings().config().getInt("agent-mesh.raft.max-voters"));
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Create.class, this::onCreate)
                .onCommand(Get.class, (state, cmd) -> {
                    if (state.active()) {
                        return Effect().reply(cmd.replyTo(), new Found(state.spec(), state.createdAtMillis()));
                    }
                    passivate();
                    return Effect().reply(cmd.replyTo(), new NotFound(swarmId));
                })
                .onCommand(ShutDown.class, (state, cmd) -> {
                    if (!state.active()) {
                        passivate();
                        return Effect().reply(cmd.replyTo(), new NotFound(swarmId));
                    }
                    Found found = new Found(state.spec(), state.createdAtMillis());
                    return Effect().persist(new SwarmShutDown(System.currentTimeMillis())).thenRun(s -> {
                        cmd.replyTo().tell(found);
                        passivate();
                    });
                })
                .build();
    }

    private Effect<Event, State> onCreate(State state, Create cmd) {
        if (state.active()) {
            return Effect().reply(cmd.replyTo(), new AlreadyExists(swarmId));
        }
        if (!cmd.spec().id().equals(swarmId)) {
            throw new IllegalArgumentException("spec id " + cmd.spec().id() + " sent to swarm " + swarmId);
        }
        return Effect().persist(new SwarmCreated(cmd.spec(), System.currentTimeMillis())).thenRun(s -> {
            startMembers(s.spec());
            startRaftGroup(s);
            cmd.replyTo().tell(new Created(s.spec()));
        });
    }

    /** Stops this entity through its shard, which also removes it from the remembered entities. */
    private void passivate() {
        shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(SwarmCreated.class, (s, e) -> new State(true, e.spec(), e.atMillis()))
                .onEvent(SwarmShutDown.class, (s, e) -> new State(false, s.spec(), s.createdAtMillis()))
                .build();
    }

    /** Member ids in join order. */
    public static List<String> memberIds(SwarmSpec spec) {
        List<String> ids = new ArrayList<>();
        spec.agents().forEach(a -> ids.add(a.id()));
        return ids;
    }
}

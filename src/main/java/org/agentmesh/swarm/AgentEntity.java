package org.agentmesh.swarm;

import java.security.SecureRandom;
import java.util.List;
import java.util.function.Consumer;
import org.agentmesh.pbft.NodeKey;
import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.gossip.GossipMember;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * An agent: a peer of a swarm, one Cluster Sharding entity per agent, its state event-sourced.
 *
 * <p>The entity id is {@code swarmId:agentId}. Sharding remembers started agents, so when the node holding an agent
 * dies the agent is started again on a surviving node and recovers its state (capabilities, capacity, reputation,
 * counters) from the journal; each such recovery is itself recorded ({@link Recovered}) so restarts are counted, not
 * guessed. A retired agent passivates, which also makes sharding forget it.
 */
public final class AgentEntity extends EventSourcedBehavior<AgentEntity.Command, AgentEntity.Event, AgentEntity.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Agent");

    public static String entityId(String swarmId, String agentId) {
        return swarmId + ":" + agentId;
    }

    // ---- protocol

    public sealed interface Command extends CborSerializable {}

    /** Starts (or confirms) the agent as a member of {@code swarmId}; idempotent. Replies with its info. */
    public record Start(String swarmId, AgentSpec spec, ActorRef<AgentInfo> replyTo) implements Command {}

    public record GetInfo(ActorRef<AgentInfo> replyTo) implements Command {}

    /** Adds {@code delta} to a named counter of the agent's persistent state; replies with the new value. */
    public record IncrementCounter(String name, long delta, ActorRef<CounterValue> replyTo) implements Command {}

    /** Replaces the agent's capabilities (persisted, then advertised by gossip); replies with its info. */
    public record SetCapabilities(List<String> capabilities, ActorRef<AgentInfo> replyTo) implements Command {}

    /** Retires the agent for good (its swarm shut down or removed it); replies once the retirement is persisted. */
    public record Retire(ActorRef<AgentInfo> replyTo) implements Command {}

    /**
     * The agent's Ed25519 key pair (created and persisted on its first start, or on the first ask for agents started
     * before keys existed). Only mesh actors ask: the pBFT replica signs protocol messages with it, the proposal
     * gateway signs client requests.
     */
    public record GetKey(boolean withPrivate, ActorRef<NodeKey> replyTo) implements Command {}

    /** Signs a vote ballot with the agent's key, so votes cast on its behalf through the API carry its signature. */
    public record SignBallot(String proposalId, org.agentmesh.proposals.Choice choice, ActorRef<BallotSignature> replyTo)
            implements Command {}

    public record BallotSignature(String agentId, String signature) implements CborSerializable {}

    /** Sent to itself after recovery so that the restart is persisted. */
    record MarkRecovered(String node) implements Command {}

    public record CounterValue(String name, long value) implements CborSerializable {}

    /** What an agent says about itself. {@code load} is running tasks over capacity. */
    public record AgentInfo(
            String agentId,
            String swarmId,
            String node,
            Status status,
            List<String> capabilities,
            int capacity,
            double load,
            double reputation,
            Map<String, Long> counters,
            long restarts) implements CborSerializable {}

    public enum Status { NEW, ACTIVE, RETIRED }

    // ---- events and state

    public sealed interface Event extends CborSerializable {}

    public record Started(String swarmId, AgentSpec spec) implements Event {}

    public record Recovered(String node) implements Event {}

    public record CounterIncremented(String name, long delta) implements Event {}

    public record Retired() implements Event {}

    public record CapabilitiesChanged(List<String> capabilities) implements Event {}
    public record KeysCreated(NodeKey key) implements Event {}

    public record State(
            Status status,
            String swarmId,
            AgentSpec spec,
            double reputation,
            int runningTasks,
            Map<String, Long> counters,
            long restarts,
            List<NodeKey> keys) implements CborSerializable {

        public State {
            // snapshots written before agents had keys have none
            keys = keys == null ? List.of() : List.copyOf(keys);
        }

        State(Status status, String swarmId, AgentSpec spec, double reputation, int runningTasks, Map<String, Long> counters,
                long restarts) {
            this(status, swarmId, spec, reputation, runningTasks, counters, restarts, List.of());
        }

        static State empty(String agentId) {
            return new State(Status.NEW, "", new AgentSpec(agentId, List.of(), 1), 0.5, 0, Map.of(), 0);
        }

        State with(Status s) {
            return new State(s, swarmId, spec, reputation, runningTasks, counters, restarts, keys);
        }

        State withKeys(List<NodeKey> k) {
            return new State(status, swarmId, spec, reputation, runningTasks, counters, restarts, k);
        }
    }

    // ---- behaviour

    public static Behavior<Command> create(String entityId, ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(ctx -> new AgentEntity(ctx, entityId, shard));
    }

    private final ActorContext<Command> ctx;
    private final String agentId;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    /** Recovered but the {@link Recovered} event not yet persisted: commands stashed during recovery run first. */
    private boolean recoveryUnrecorded;

    private AgentEntity(ActorContext<Command> ctx, String entityId, ActorRef<ClusterSharding.ShardCommand> shard) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId));
        this.ctx = ctx;
        this.agentId = entityId.substring(entityId.indexOf(':') + 1);
        this.shard = shard;
    }

    @Override
    public State emptyState() {
        return State.empty(agentId);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        // counters grow without bound; a snapshot every 100 events keeps recovery short
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    private String node() {
        var address = Cluster.get(ctx.getSystem()).selfMember().address();
        return address.getHost().orElse("local") + ":" + address.getPort().map(String::valueOf).orElse("0");
    }

    private AgentInfo info(State s) {
        double load = s.spec().capacity() == 0 ? 0.0 : (double) s.runningTasks() / s.spec().capacity();
        return new AgentInfo(agentId, s.swarmId(), node(), s.status(), s.spec().capabilities(), s.spec().capacity(), load,
                s.reputation(), s.counters(), s.restarts() + (recoveryUnrecorded ? 1 : 0));
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.status() == Status.ACTIVE) {
                        recoveryUnrecorded = true;
                        ctx.getSelf().tell(new MarkRecovered(node()));
                        gossip(state, new GossipMember.Wake());
                    }
                })
                .build();
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Start.class, this::onStart)
                .onCommand(GetInfo.class, this::onGetInfo)
                .onCommand(IncrementCounter.class, this::onIncrement)
                .onCommand(Retire.class, this::onRetire)
                .onCommand(SetCapabilities.class, this::onSetCapabilities)
                .onCommand(GetKey.class, (state, cmd) -> withKey(state, key -> cmd.replyTo().tell(
                        cmd.withPrivate() ? key : new NodeKey(key.id(), key.publicKey(), new byte[0]))))
                .onCommand(SignBallot.class, (state, cmd) -> withKey(state, key -> cmd.replyTo().tell(new BallotSignature(
                        agentId, new org.agentmesh.proposals.Ballot(cmd.proposalId(), agentId, cmd.choice()).sign(key.decodePrivate())))))
                .onCommand(MarkRecovered.class, (state, cmd) -> state.status() == Status.ACTIVE
                        ? Effect().persist(new Recovered(cmd.node())).thenRun(s -> recoveryUnrecorded = false)
                        : Effect().none())
                .build();
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onStart(State state, Start cmd) {
        // the swarm's copy of the spec does not follow capability changes: an active member keeps its own
        if (state.status() == Status.ACTIVE && state.swarmId().equals(cmd.swarmId()) && state.spec().id().equals(cmd.spec().id())) {
            return Effect().none().thenRun(s -> {
                cmd.replyTo().tell(info(s));
                gossip(s, new GossipMember.Wake());
            });
        }
        List<Event> events = state.keys().isEmpty()
                ? List.of(new Started(cmd.swarmId(), cmd.spec()), newKeys())
                : List.of(new Started(cmd.swarmId(), cmd.spec()));
        return Effect().persist(events).thenRun(s -> {
            cmd.replyTo().tell(info(s));
            gossip(s, new GossipMember.Wake());
        });
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onSetCapabilities(State state, SetCapabilities cmd) {
        if (state.status() != Status.ACTIVE) {
            return Effect().reply(cmd.replyTo(), info(state));
        }
        return Effect().persist(new CapabilitiesChanged(List.copyOf(cmd.capabilities()))).thenRun(s -> {
            cmd.replyTo().tell(info(s));
            gossip(s, new GossipMember.SetCapabilities(s.spec().capabilities()));
        });
    }

    /** Tells this agent's gossip member, when gossip is on. */
    private void gossip(State state, GossipMember.Command command) {
        if (ctx.getSystem().settings().config().getBoolean("agent-mesh.gossip.enabled")) {
            ClusterSharding.get(ctx.getSystem()).entityRefFor(GossipMember.TYPE_KEY,
                    GossipMember.entityId(state.swarmId(), agentId)).tell(command);
        }
    }

    private KeysCreated newKeys() {
        return new KeysCreated(NodeKey.generate(agentId, new SecureRandom()));
    }

    /** Runs {@code use} with the agent's key, creating and persisting it first if the agent has none yet. */
    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> withKey(State state, Consumer<NodeKey> use) {
        if (!state.keys().isEmpty()) {
            use.accept(state.keys().get(0));
            return Effect().none();
        }
        return Effect().persist(newKeys()).thenRun(s -> use.accept(s.keys().get(0)));
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onGetInfo(State state, GetInfo cmd) {
        cmd.replyTo().tell(info(state));
        if (state.status() != Status.ACTIVE) {
            // asked about an agent that is not (or no longer) a member: do not let sharding remember it
            passivate();
        }
        return Effect().none();
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onIncrement(State state, IncrementCounter cmd) {
        if (state.status() != Status.ACTIVE) {
            return Effect().reply(cmd.replyTo(), new CounterValue(cmd.name(), -1));
        }
        return Effect().persist(new CounterIncremented(cmd.name(), cmd.delta()))
                .thenReply(cmd.replyTo(), s -> new CounterValue(cmd.name(), s.counters().get(cmd.name())));
    }

    private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onRetire(State state, Retire cmd) {
        if (state.status() == Status.RETIRED || state.status() == Status.NEW) {
            cmd.replyTo().tell(info(state));
            passivate();
            return Effect().none();
        }
        return Effect().persist(new Retired()).thenRun(s -> {
            cmd.replyTo().tell(info(s));
            gossip(s, new GossipMember.Leave());
            passivate();
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
                .onEvent(Started.class, (s, e) -> new State(Status.ACTIVE, e.swarmId(), e.spec(),
                        s.status() == Status.NEW ? 0.5 : s.reputation(), 0, s.counters(), s.restarts(), s.keys()))
                .onEvent(Recovered.class, (s, e) -> new State(s.status(), s.swarmId(), s.spec(), s.reputation(),
                        s.runningTasks(), s.counters(), s.restarts() + 1, s.keys()))
                .onEvent(CounterIncremented.class, (s, e) -> {
                    Map<String, Long> counters = new TreeMap<>(s.counters());
                    counters.merge(e.name(), e.delta(), Long::sum);
                    return new State(s.status(), s.swarmId(), s.spec(), s.reputation(), s.runningTasks(), counters, s.restarts(), s.keys());
                })
                .onEvent(Retired.class, (s, e) -> s.with(Status.RETIRED))
                .onEvent(CapabilitiesChanged.class, (s, e) -> new State(s.status(), s.swarmId(),
                        new AgentSpec(s.spec().id(), e.capabilities(), s.spec().capacity()), s.reputation(), s.runningTasks(),
                        s.counters(), s.restarts(), s.keys()))
                .onEvent(KeysCreated.class, (s, e) -> s.withKeys(List.of(e.key())))
                .build();
    }
}

package org.agentmesh.swarm;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The directory of swarm ids: one event-sourced sharding entity ({@link #ENTITY_ID}) for the whole cluster.
 *
 * <p>It exists so that a request naming an unknown swarm is answered without waking a swarm entity: with
 * remember-entities on, waking an entity for a made-up id would write to the journal, and a stream of requests for
 * random ids would grow it without bound. Registration happens before a swarm entity is created and removal after it
 * shut down, so the directory may briefly hold an id whose swarm is gone (a crash between the two steps); the swarm
 * entity stays the authority and such an id is removed when it is found stale.
 */
public final class SwarmRegistry extends EventSourcedBehavior<SwarmRegistry.Command, SwarmRegistry.Event, SwarmRegistry.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "SwarmRegistry");
    public static final String ENTITY_ID = "all";

    public sealed interface Command extends CborSerializable {}

    /** Adds the id if absent; replies whether it was new. */
    public record Register(String swarmId, ActorRef<Registered> replyTo) implements Command {}

    public record Deregister(String swarmId, ActorRef<Registered> replyTo) implements Command {}

    public record Contains(String swarmId, ActorRef<Registered> replyTo) implements Command {}

    public record ListAll(ActorRef<SwarmIds> replyTo) implements Command {}

    /** {@code present}: whether the id is in the directory after the command. {@code changed}: whether the command changed it. */
    public record Registered(String swarmId, boolean present, boolean changed) implements CborSerializable {}

    public record SwarmIds(List<String> ids) implements CborSerializable {}

    public sealed interface Event extends CborSerializable {}

    public record SwarmAdded(String swarmId) implements Event {}

    public record SwarmRemoved(String swarmId) implements Event {}

    public record State(SortedSet<String> ids) implements CborSerializable {}

    public static Behavior<Command> create() {
        return new SwarmRegistry();
    }

    private SwarmRegistry() {
        super(PersistenceId.of(TYPE_KEY.name(), ENTITY_ID));
    }

    @Override
    public State emptyState() {
        return new State(new TreeSet<>());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(200, 2);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Register.class, (s, c) -> s.ids().contains(c.swarmId())
                        ? Effect().reply(c.replyTo(), new Registered(c.swarmId(), true, false))
                        : Effect().persist(new SwarmAdded(c.swarmId())).thenReply(c.replyTo(), st -> new Registered(c.swarmId(), true, true)))
                .onCommand(Deregister.class, (s, c) -> !s.ids().contains(c.swarmId())
                        ? Effect().reply(c.replyTo(), new Registered(c.swarmId(), false, false))
                        : Effect().persist(new SwarmRemoved(c.swarmId())).thenReply(c.replyTo(), st -> new Registered(c.swarmId(), false, true)))
                .onCommand(Contains.class, (s, c) -> Effect().reply(c.replyTo(), new Registered(c.swarmId(), s.ids().contains(c.swarmId()), false)))
                .onCommand(ListAll.class, (s, c) -> Effect().reply(c.replyTo(), new SwarmIds(List.copyOf(s.ids()))))
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(SwarmAdded.class, (s, e) -> {
                    TreeSet<String> ids = new TreeSet<>(s.ids());
                    ids.add(e.swarmId());
                    return new State(ids);
                })
                .onEvent(SwarmRemoved.class, (s, e) -> {
                    TreeSet<String> ids = new TreeSet<>(s.ids());
                    ids.remove(e.swarmId());
                    return new State(ids);
                })
                .build();
    }
}

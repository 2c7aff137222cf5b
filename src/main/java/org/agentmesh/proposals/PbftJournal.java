package org.agentmesh.proposals;

import java.util.List;
import org.agentmesh.pbft.DurableEvent;
import org.agentmesh.pbft.DurableState;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The durable memory of one {@link PbftReplica}, under the replica's own persistence id ({@code PbftReplica|swarm:agent}):
 * the core's {@link DurableEvent}s, one journal entry per batch of them (a replica writes whatever accumulated while the
 * previous write was in flight), folded into a {@link DurableState} that a restarted replica recovers from. The state is
 * bounded (only what follows the stable checkpoint), so it is snapshotted every few hundred entries and older entries
 * are deleted. A swarm that shuts down resets it: a swarm created again under the same id starts afresh.
 */
public final class PbftJournal extends EventSourcedBehavior<PbftJournal.Command, PbftJournal.Entry, DurableState> {

    public sealed interface Command extends CborSerializable {}

    /** Writes {@code events} as one entry, then tells {@code replyTo} that batch {@code batch} is durable. */
    public record Append(long batch, List<DurableEvent> events, ActorRef<PbftReplica.Command> replyTo) implements Command {
        public Append {
            events = List.copyOf(events);
        }
    }

    public record Load(ActorRef<DurableState> replyTo) implements Command {}

    public record Reset(ActorRef<PbftReplica.Command> replyTo) implements Command {}

    public sealed interface Entry extends CborSerializable {}

    public record Written(List<DurableEvent> events) implements Entry {
        public Written {
            events = List.copyOf(events);
        }
    }

    public record Cleared() implements Entry {}

    public static PersistenceId persistenceId(String replicaEntityId) {
        return PersistenceId.of(PbftReplica.TYPE_KEY.name(), replicaEntityId);
    }

    public static Behavior<Command> create(String replicaEntityId) {
        return new PbftJournal(persistenceId(replicaEntityId));
    }

    private PbftJournal(PersistenceId id) {
        super(id);
    }

    @Override
    public DurableState emptyState() {
        return DurableState.initial();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(500, 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Command, Entry, DurableState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Append.class, (state, a) -> Effect().persist(new Written(a.events()))
                        .thenRun(s -> a.replyTo().tell(new PbftReplica.Written(a.batch()))))
                .onCommand(Load.class, (state, l) -> Effect().reply(l.replyTo(), state))
                .onCommand(Reset.class, (state, r) -> Effect().persist(new Cleared())
                        .thenRun(s -> r.replyTo().tell(new PbftReplica.ResetDone())))
                .build();
    }

    @Override
    public EventHandler<DurableState, Entry> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Written.class, (state, w) -> state.applyAll(w.events()))
                .onEvent(Cleared.class, (state, c) -> DurableState.initial())
                .build();
    }
}

package org.agentmesh.task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The read side of tasks: a task's state is the fold of its events in the journal ({@link TaskEntity#apply}), read
 * with Pekko Persistence Query. Reading never wakes a task entity, so asking about an unknown or finished task
 * writes nothing (waking a remembered entity would).
 */
public final class TaskQueries {

    private final JdbcReadJournal journal;
    private final Materializer materializer;

    public TaskQueries(ActorSystem<?> system) {
        this.journal = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        this.materializer = Materializer.matFromSystem(system);
    }

    /** The task as recorded, or empty if it was never accepted. */
    public CompletionStage<Optional<TaskEntity.State>> get(String swarmId, String taskId) {
        String pid = PersistenceId.of(TaskEntity.TYPE_KEY.name(), TaskEntity.entityId(swarmId, taskId)).id();
        return journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
                .runWith(Sink.fold(TaskEntity.State.empty(taskId), (s, env) -> TaskEntity.apply(s, (TaskEntity.Event) env.event())), materializer)
                .thenApply(s -> s.phase() == TaskEntity.Phase.NEW ? Optional.empty() : Optional.of(s));
    }

    /** How many times the swarm's tasks were stolen ({@code [0]}) and migrated ({@code [1]}), from their history. */
    public CompletionStage<long[]> moves(String swarmId) {
        return moves(swarmId, 0);
    }

    /** As {@link #moves(String)}, counting only events the journal wrote at or after {@code sinceMillis} (wall clock). */
    public CompletionStage<long[]> moves(String swarmId, long sinceMillis) {
        return journal.currentEventsByTag(TaskEntity.tag(swarmId), NoOffset.getInstance())
                .runWith(Sink.fold(new long[2], (long[] acc, org.apache.pekko.persistence.query.EventEnvelope env) -> {
                    if (env.timestamp() < sinceMillis) {
                        return acc;
                    }
                    if (env.event() instanceof TaskEntity.Stolen) {
                        acc[0]++;
                    } else if (env.event() instanceof TaskEntity.Migrated) {
                        acc[1]++;
                    }
                    return acc;
                }), materializer);
    }

    /** Every task of the swarm (optionally only those in {@code phase}), oldest submission first, at most {@code limit}. */
    public CompletionStage<List<TaskEntity.State>> list(String swarmId, Optional<TaskEntity.Phase> phase, int limit) {
        return journal.currentEventsByTag(TaskEntity.tag(swarmId), NoOffset.getInstance())
                .runWith(Sink.fold(new HashMap<String, TaskEntity.State>(), (Map<String, TaskEntity.State> acc, org.apache.pekko.persistence.query.EventEnvelope env) -> {
                    String pid = env.persistenceId();
                    String taskId = pid.substring(pid.indexOf(':') + 1);
                    acc.merge(taskId, TaskEntity.apply(TaskEntity.State.empty(taskId), (TaskEntity.Event) env.event()),
                            (old, ignored) -> TaskEntity.apply(old, (TaskEntity.Event) env.event()));
                    return acc;
                }), materializer)
                .thenApply(all -> {
                    List<TaskEntity.State> out = new ArrayList<>();
                    for (TaskEntity.State s : all.values()) {
                        if (phase.isEmpty() || phase.get() == s.phase()) {
                            out.add(s);
                        }
                    }
                    out.sort(Comparator.comparingLong(TaskEntity.State::submittedAtMillis).thenComparing(s -> s.spec().id()));
                    return out.size() > limit ? out.subList(0, limit) : out;
                });
    }
}

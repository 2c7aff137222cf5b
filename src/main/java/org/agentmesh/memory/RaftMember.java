package org.agentmesh.memory;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.agentmesh.raft.DurableState;
import org.agentmesh.raft.EntryPayload;
import org.agentmesh.raft.HardState;
import org.agentmesh.raft.LocalInput;
import org.agentmesh.raft.LogEntry;
import org.agentmesh.raft.Membership;
import org.agentmesh.raft.MembershipChange;
import org.agentmesh.raft.RaftCore;
import org.agentmesh.raft.RaftMessage;
import org.agentmesh.raft.RaftRole;
import org.agentmesh.raft.Ready;
import org.agentmesh.raft.RequestOutcome;
import org.agentmesh.raft.Snapshot;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a swarm's Raft group: the actor shell around {@link RaftCore}, replicating the swarm's
 * {@link MemoryStore}. A Cluster Sharding entity ({@code swarmId:agentId}, remembered like the agents), event-sourced
 * under its own persistence id.
 *
 * <p><b>Ready handling.</b> Inputs (peer messages, proposals, reads, ticks) are stepped into the core without touching
 * the journal; each schedules one {@link Flush}. A flush takes the core's {@link Ready} and persists its durable part
 * (entries, truncation, term and vote, snapshot) as <em>one</em> {@link Persisted} event, then sends the messages,
 * applies the committed entries and answers the clients. (A leader's AppendEntries and heartbeats go out while its
 * own write is in flight, as the Raft thesis §10.2.1 allows; votes and acknowledgements always wait for the write.) While that write is in flight Pekko stashes every command;
 * when it completes the stashed inputs are stepped in and the next flush writes all of them at once, so the batch
 * size follows the load (one write per ~3 ms H2 commit, whatever the number of proposals).
 *
 * <p>A Ready whose only durable change is the commit index is not written: the commit index may lag on disk (a
 * restarted member learns it again from the leader), term and vote may not.
 *
 * <p><b>Recovery</b> rebuilds term, vote, snapshot and log from the events, or from a Pekko snapshot of this state,
 * taken whenever a Raft snapshot (every {@code snapshot-interval} applied entries) compacts the log.
 *
 * <p><b>Generations.</b> A swarm id may be reused after a shutdown: every group carries the creation time of its swarm
 * as generation; a {@link Start} of a newer generation resets the member, messages of another generation are dropped.
 */
public final class RaftMember extends EventSourcedBehavior<RaftMember.Command, RaftMember.Event, RaftMember.State> {

    private static final Logger log = LoggerFactory.getLogger(RaftMember.class);

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "RaftMember");

    public static String entityId(String swarmId, String memberId) {
        return swarmId + ":" + memberId;
    }

    /** How a member reaches its peers: Cluster Sharding in a mesh, plain actor refs in tests. */
    @FunctionalInterface
    public interface Transport {
        void send(String swarmId, String memberId, Command command);
    }

    // ---- protocol

    public sealed interface Command extends CborSerializable {}

    /** Creates the member in group {@code generation} with the group's initial configuration; idempotent. */
    public record Start(long generation, Membership membership) implements Command {}

    /** The swarm shut down: the member forgets its group and stops. */
    public record Stop() implements Command {}

    /**
     * A Raft message from a peer; {@code sender} is the peer's own actor, so that messages back to it can skip Cluster
     * Sharding's routing (region, remote region, shard) while it keeps answering.
     */
    public record Deliver(long generation, RaftMessage message, ActorRef<Command> sender) implements Command {}

    /** A write, proposed if this member leads; answered with {@link Written}, {@link Redirect} or {@link Unknown}. */
    public record Write(WriteOp op, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Writes a client node gathered while its earlier ones were under way: one message each way instead of one per
     * write. Each op is proposed as its own log entry, as if it came in its own {@link Write}; answered with one
     * {@link WrittenBatch} (an answer per op, in order) once every op has its answer, or with one {@link Redirect} for
     * all if this member does not lead (none was proposed).
     */
    public record WriteBatch(List<WriteOp> ops, ActorRef<Reply> replyTo) implements Command {}

    /** A linearizable read (ReadIndex, no log write); answered with {@link Found} or {@link Redirect}. */
    public record Read(Query query, ActorRef<Reply> replyTo) implements Command {}

    /**
     * A read answered at once from what this member has applied, with no leader involved: possibly stale. For a
     * node on a minority side, where no ReadIndex can be confirmed; answered with {@link Found} or {@link Redirect}.
     */
    public record LocalRead(Query query, ActorRef<Reply> replyTo) implements Command {}

    public record GetStatus(ActorRef<RaftStatus> replyTo) implements Command {}

    /**
     * The failure detector confirmed that agent {@code memberId} failed: if this member leads (now or later), it replaces
     * that voter as soon as the member is also silent for an election timeout, instead of after {@code voter-replace-after}.
     * A member still heard from (a false verdict) is left alone.
     */
    public record PeerFailed(String memberId) implements Command {}

    /** Local timer and self messages: never cross the wire, so tests with serialize-messages on need not encode them. */
    record Tick() implements Command, NoSerializationVerificationNeeded {}

    record Flush() implements Command, NoSerializationVerificationNeeded {}

    /** A write as a client asks for it; the leader turns it into a {@link MemoryCommand} stamped with its own clock. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({
        @JsonSubTypes.Type(value = StoreOp.class, name = "store"),
        @JsonSubTypes.Type(value = DeleteOp.class, name = "delete"),
        @JsonSubTypes.Type(value = CasOp.class, name = "cas")
    })
    public sealed interface WriteOp extends CborSerializable {}

    /** {@code ttlMillis} 0 = no expiry. */
    public record StoreOp(String namespace, String key, JsonNode value, long ttlMillis) implements WriteOp {}

    public record DeleteOp(String namespace, String key) implements WriteOp {}

    public record CasOp(String namespace, String key, long expectedVersion, JsonNode value, long ttlMillis)
            implements WriteOp {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({
        @JsonSubTypes.Type(value = GetKey.class, name = "get"),
        @JsonSubTypes.Type(value = ListKeys.class, name = "list"),
        @JsonSubTypes.Type(value = SearchKeys.class, name = "search")
    })
    public sealed interface Query extends CborSerializable {}

    public record GetKey(String namespace, String key) implements Query {}

    public record ListKeys(String namespace, String prefix, int limit) implements Query {}

    /** {@code namespace} "" searches every namespace. */
    public record SearchKeys(String namespace, String pattern, int limit) implements Query {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Written.class, name = "written"),
        @JsonSubTypes.Type(value = Found.class, name = "found"),
        @JsonSubTypes.Type(value = Redirect.class, name = "redirect"),
        @JsonSubTypes.Type(value = Unknown.class, name = "unknown"),
        @JsonSubTypes.Type(value = WrittenBatch.class, name = "written-batch")
    })
    public sealed interface Reply extends CborSerializable {}

    /**
     * The write was committed and applied with this result. {@code member} (the answering member's own actor, as in
     * {@link Found}) lets the client send its next requests there without Cluster Sharding's routing.
     */
    public record Written(MemoryResult result, ActorRef<Command> member) implements Reply {}

    /** A read's items (at most one for {@link GetKey}), as of log index {@code readIndex} or later. */
    public record Found(List<Item> items, long readIndex, ActorRef<Command> member) implements Reply {}

    /** Not done and certainly not applied: ask {@code leaderHint} ({@code ""}: no leader known, ask again later). */
    public record Redirect(String reason, String leaderHint) implements Reply {}

    /** A write whose fate this member cannot tell (it may still be applied): the client must not retry it blindly. */
    public record Unknown(String reason) implements Reply {}

    /** The answers to a {@link WriteBatch}, one per op in its order: each a {@link Written}, {@link Redirect} or {@link Unknown}. */
    public record WrittenBatch(List<Reply> replies, ActorRef<Command> member) implements Reply {}

    public record MemberProgress(String id, boolean voter, long matchIndex) implements CborSerializable {}

    /** What a member knows of its group; match indexes are known by the leader only (0 elsewhere). */
    public record RaftStatus(
            String swarmId,
            String member,
            boolean started,
            String role,
            long term,
            String votedFor,
            String leader,
            long commitIndex,
            long appliedIndex,
            long lastIndex,
            long snapshotIndex,
            List<MemberProgress> members,
            long lastElectionAtMillis,
            long journalWrites,
            int storedEntries) implements CborSerializable {}

    // ---- events and state

    public sealed interface Event extends CborSerializable {}

    public record Bootstrapped(long generation, Membership membership) implements Event {}

    /**
     * The durable part of one Ready: the hard state (always the latest), a snapshot (zero or one; with
     * {@code restoreSnapshot} it replaces the whole log), then entries replacing the log from their first index on.
     */
    public record Persisted(HardState hardState, List<Snapshot> snapshot, boolean restoreSnapshot, List<LogEntry> entries)
            implements Event {}

    public record Retired() implements Event {}

    /** What storage holds: {@code entries} are the log after {@code snapshot}, in index order. */
    public record State(long generation, boolean active, HardState hardState, Snapshot snapshot, List<LogEntry> entries)
            implements CborSerializable {

        /** This state with a log no later event can change (the live state's log is appended to in place). */
        public State detached() {
            return new State(generation, active, hardState, snapshot, List.copyOf(entries));
        }
    }

    // ---- behaviour

    /** The sharded entity: {@code entityId} is {@code swarmId:memberId}. */
    public static Behavior<Command> create(String entityId, ActorRef<ClusterSharding.ShardCommand> shard) {
        int colon = entityId.indexOf(':');
        String swarmId = entityId.substring(0, colon);
        String memberId = entityId.substring(colon + 1);
        return Behaviors.setup(ctx -> {
            ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
            RaftSettings settings = RaftSettings.from(ctx.getSystem().settings().config());
            Transport transport = (swarm, member, command) ->
                    sharding.entityRefFor(TYPE_KEY, entityId(swarm, member)).tell(command);
            return Behaviors.withTimers(timers ->
                    new RaftMember(ctx, timers, swarmId, memberId, settings, transport, Optional.of(shard)));
        });
    }

    /** A member outside sharding (tests, benchmarks): {@code transport} reaches its peers; it stops itself on Stop. */
    public static Behavior<Command> create(String swarmId, String memberId, RaftSettings settings, Transport transport) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new RaftMember(ctx, timers, swarmId, memberId, settings, transport, Optional.empty())));
    }

    /** Where a write's answer goes: the asker's actor, or the write's slot in a {@link WriteBatch}. */
    @FunctionalInterface
    private interface Answer {
        void tell(Reply reply);
    }

    private record PendingWrite(long term, Answer replyTo, long deadlineNanos) {}

    private record PeerRef(ActorRef<Command> ref, long heardNanos) {}

    private record PendingRead(Query query, ActorRef<Reply> replyTo, long readIndex, long deadlineNanos) {}

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final String swarmId;
    private final String memberId;
    private final RaftSettings settings;
    private final Transport transport;
    private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
    private final MemoryCodec codec = new MemoryCodec();

    // volatile (not persisted) state of the running member; core is null until started
    private RaftCore core;
    private MemoryStore store = new MemoryStore();
    private long generation;
    private boolean flushScheduled;
    /**
     * Request ids start at random per incarnation: a leader's answer to a read this member forwarded before it
     * restarted (or moved) may still arrive, and must not match a read of the new incarnation with the same id.
     */
    private long nextRequestId = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 1L << 62);
    /** The commit index this member booted with: until it has re-applied that far its store is behind its own log. */
    private long bootCommit;
    private long appliedIndex;
    private long appliedTerm;
    private long lastSnapshotIndex;
    private long journalWrites;
    private long lastElectionAtMillis;
    private String knownLeader = "";
    private long nextMaintenanceNanos;
    private HardState lastWrittenHardState = HardState.INITIAL;
    private final Map<Long, PendingWrite> proposing = new HashMap<>();
    private final Map<Long, PendingWrite> awaitingApply = new HashMap<>();
    private final Map<Long, PendingRead> readsAwaitingIndex = new HashMap<>();
    private final PriorityQueue<PendingRead> readsAwaitingApply =
            new PriorityQueue<>((a, b) -> Long.compare(a.readIndex(), b.readIndex()));
    private final Map<String, Long> lastHeardNanos = new HashMap<>();
    /** Peers' own actors, learned from their messages (see {@link #send}). */
    private final Map<String, PeerRef> peerRefs = new HashMap<>();
    private final long directPeerNanos;
    /** How long a member declared failed must also be silent to the leader before it is removed. */
    private final long corroborateNanos;
    /** Members the failure detector confirmed failed, with the time of the verdict. */
    private final Map<String, Long> confirmedFailedNanos = new HashMap<>();
    private long nextPurgeAtMillis;
    /** The entries list of the current state that only this actor holds, so appends may mutate it in place. */
    private List<LogEntry> ownedEntries;

    private RaftMember(ActorContext<Command> ctx, TimerScheduler<Command> timers, String swarmId, String memberId,
            RaftSettings settings, Transport transport, Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId(swarmId, memberId)),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        this.ctx = ctx;
        this.timers = timers;
        this.swarmId = swarmId;
        this.memberId = memberId;
        this.settings = settings;
        this.transport = transport;
        this.shard = shard;
        this.directPeerNanos = settings.core().electionTimeoutMinMillis() * 1_000_000L;
        this.corroborateNanos = settings.core().electionTimeoutMinMillis() * 1_000_000L;
    }

    @Override
    public State emptyState() {
        return new State(0, false, HardState.INITIAL, Snapshot.bootstrap(new Membership(List.of(), List.of())), List.of());
    }

    /** The Raft log's own journal when configured ({@code agent-mesh.raft.journal-plugin}), else the system's. */
    @Override
    public String journalPluginId() {
        return settings.journalPlugin();
    }

    @Override
    public boolean shouldSnapshot(State state, Event event, long sequenceNr) {
        // a compacted log is no longer in the events: keep a snapshot of what replaces it
        return event instanceof Persisted p && !p.snapshot().isEmpty();
    }

    /**
     * A Pekko snapshot is serialized later, by the snapshot store on its own thread, while this member goes on
     * appending to the live state's log in place: the snapshot gets a copy, so it holds exactly its sequence number's log.
     */
    @Override
    public SnapshotAdapter<State> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                return state.detached();
            }

            @Override
            public State fromJournal(Object from) {
                return (State) from;
            }
        };
    }

    /**
     * Keeps the journal bounded: every {@code journal-snapshot-every} writes a snapshot of the state (which holds all a
     * restart needs), then the events and snapshots older than the one before it go. Without it every write stayed in
     * the journal for ever, though recovery never read past the latest snapshot. (Pekko deletes events only for these
     * counted snapshots, not for the ones {@link #shouldSnapshot} asks for after a compaction.) Failures to delete
     * are logged by Pekko and harmless: the rows stay until the next snapshot's delete.
     */
    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.journalSnapshotEvery(), 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (core != null) {
                        // Pekko restarts this same object after a failed journal write: say so, it explains the
                        // requests answered "unknown" just before
                        log.warn("raft member {} of {} recovered again after a journal failure (at term {})", memberId,
                                swarmId, state.hardState().term());
                    }
                    if (state.active()) {
                        boot(state);
                    }
                })
                .build();
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Start.class, this::onStart)
                .onCommand(Stop.class, this::onStop)
                .onCommand(Deliver.class, this::onDeliver)
                .onCommand(Write.class, this::onWrite)
                .onCommand(WriteBatch.class, this::onWriteBatch)
                .onCommand(Read.class, this::onRead)
                .onCommand(LocalRead.class, this::onLocalRead)
                .onCommand(GetStatus.class, (state, cmd) -> Effect().reply(cmd.replyTo(), status()))
                .onCommand(PeerFailed.class, (state, cmd) -> onPeerFailed(cmd))
                .onCommand(Tick.class, (state, cmd) -> onTick())
                .onCommand(Flush.class, (state, cmd) -> onFlush())
                .build();
    }

    private Effect<Event, State> onStart(State state, Start cmd) {
        if (cmd.generation() < state.generation() || (cmd.generation() == state.generation() && state.generation() != 0)) {
            return Effect().none(); // already started (or retired) in this generation, or a stale start
        }
        return Effect().persist(new Bootstrapped(cmd.generation(), cmd.membership())).thenRun(this::boot);
    }

    private Effect<Event, State> onStop(State state, Stop cmd) {
        if (shard.isEmpty()) {
            return (state.active() ? Effect().persist(new Retired()) : Effect().none()).thenRun(s -> halt("stopped")).thenStop();
        }
        // sharded: passivate through the shard, which also makes remember-entities forget the member
        return (state.active() ? Effect().persist(new Retired()) : Effect().none()).thenRun(s -> {
            halt("the swarm shut down");
            shard.get().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
        });
    }

    /** Builds the core (and the store) from what storage holds. */
    private void boot(State state) {
        halt("the member restarted");
        generation = state.generation();
        store = new MemoryStore();
        if (state.snapshot().index() > 0) {
            store.restore(state.snapshot().data());
        }
        appliedIndex = state.snapshot().index();
        appliedTerm = state.snapshot().meta().term();
        lastWrittenHardState = state.hardState();
        lastSnapshotIndex = appliedIndex;
        long seed = ((long) memberId.hashCode() << 32) ^ System.nanoTime();
        core = new RaftCore(memberId, settings.core(),
                new DurableState(state.hardState(), state.snapshot(), List.copyOf(state.entries())),
                new SplittableRandom(seed), nowMillis());
        bootCommit = core.commitIndex();
        timers.startTimerWithFixedDelay("tick", new Tick(), settings.tickInterval());
        scheduleFlush(); // re-applies committed entries after the snapshot
        log.debug("raft member {} of {} started in generation {} at term {}", memberId, swarmId, generation, core.term());
    }

    /** Forgets the running core; every waiting client is told to go elsewhere. */
    private void halt(String why) {
        timers.cancel("tick");
        core = null;
        peerRefs.clear();
        knownLeader = "";
        for (PendingWrite w : proposing.values()) {
            w.replyTo().tell(new Redirect(why, ""));
        }
        for (PendingWrite w : awaitingApply.values()) {
            w.replyTo().tell(new Unknown(why));
        }
        for (PendingRead r : readsAwaitingIndex.values()) {
            r.replyTo().tell(new Redirect(why, ""));
        }
        for (PendingRead r : readsAwaitingApply) {
            r.replyTo().tell(new Redirect(why, ""));
        }
        proposing.clear();
        awaitingApply.clear();
        readsAwaitingIndex.clear();
        readsAwaitingApply.clear();
    }

    private Effect<Event, State> onDeliver(State state, Deliver d) {
        if (core == null && state.generation() != 0 && !state.active() && shard.isPresent()) {
            // retired, woken by a late message from a peer: go back to sleep so sharding does not remember us again
            shard.get().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
            return Effect().none();
        }
        if (core == null || d.generation() != generation) {
            return Effect().none();
        }
        long heardAt = System.nanoTime();
        lastHeardNanos.put(d.message().from(), heardAt);
        peerRefs.put(d.message().from(), new PeerRef(d.sender(), heardAt));
        core.step(d.message(), nowMillis());
        scheduleFlush();
        return Effect().none();
    }

    private Effect<Event, State> onWrite(State state, Write w) {
        Redirect refused = refuseWrites();
        if (refused != null) {
            return Effect().reply(w.replyTo(), refused);
        }
        propose(w.op(), w.replyTo()::tell);
        scheduleFlush();
        return Effect().none();
    }

    private Effect<Event, State> onWriteBatch(State state, WriteBatch b) {
        Redirect refused = refuseWrites();
        if (refused != null) {
            return Effect().reply(b.replyTo(), refused);
        }
        if (b.ops().isEmpty()) {
            return Effect().reply(b.replyTo(), new WrittenBatch(List.of(), ctx.getSelf()));
        }
        Reply[] answers = new Reply[b.ops().size()];
        int[] missing = {answers.length};
        ActorRef<Command> self = ctx.getSelf();
        for (int i = 0; i < answers.length; i++) {
            int slot = i;
            propose(b.ops().get(i), reply -> {
                if (answers[slot] == null) {
                    answers[slot] = reply;
                    if (--missing[0] == 0) {
                        b.replyTo().tell(new WrittenBatch(List.of(answers), self));
                    }
                }
            });
        }
        scheduleFlush();
        return Effect().none();
    }

    /** Why this member takes no writes now (null if it leads). */
    private Redirect refuseWrites() {
        if (core == null) {
            return new Redirect("member not started", "");
        }
        return core.role() == RaftRole.LEADER ? null : new Redirect("not the leader", core.leader());
    }

    /** Proposes one write as its own log entry; {@code answer} hears its outcome (at once if it is invalid). */
    private void propose(WriteOp op, Answer answer) {
        byte[] encoded;
        try {
            MemoryCommand command = toCommand(op, System.currentTimeMillis());
            encoded = codec.encodeCommand(command);
            command.validate(codec, encoded.length <= MemoryLimits.MAX_VALUE_BYTES
                    ? MemoryCommand.SIZE_ALREADY_CHECKED : MemoryLimits.MAX_VALUE_BYTES);
        } catch (InvalidFieldException e) {
            answer.tell(new Written(new MemoryResult.Rejected(e.field(), e.reason()), ctx.getSelf()));
            return;
        }
        long id = nextRequestId++;
        proposing.put(id, new PendingWrite(0, answer, deadline()));
        core.step(new LocalInput.Propose(id, encoded), nowMillis());
    }

    /** Timestamps come from the proposing leader's clock, so every replica decides expiry the same way. */
    private static MemoryCommand toCommand(WriteOp op, long now) {
        if (op instanceof StoreOp s) {
            return new MemoryCommand.Store(s.namespace(), s.key(), s.value(), MemoryCommand.expiryFor(s.ttlMillis(), now), now);
        } else if (op instanceof DeleteOp d) {
            return new MemoryCommand.Delete(d.namespace(), d.key(), now);
        } else if (op instanceof CasOp c) {
            return new MemoryCommand.Cas(c.namespace(), c.key(), c.expectedVersion(), c.value(),
                    MemoryCommand.expiryFor(c.ttlMillis(), now), now);
        }
        throw new IllegalArgumentException("unknown write " + op);
    }

    private Effect<Event, State> onRead(State state, Read r) {
        if (core == null) {
            return Effect().reply(r.replyTo(), new Redirect("member not started", ""));
        }
        long id = nextRequestId++;
        readsAwaitingIndex.put(id, new PendingRead(r.query(), r.replyTo(), 0, deadline()));
        core.step(new LocalInput.ReadIndex(id), nowMillis());
        scheduleFlush();
        return Effect().none();
    }

    private Effect<Event, State> onLocalRead(State state, LocalRead r) {
        if (core == null) {
            return Effect().reply(r.replyTo(), new Redirect("member not started", ""));
        }
        if (appliedIndex < bootCommit) {
            // just restarted: reads stashed during recovery come before the flush that re-applies the log, and an
            // answer now would come from a store that has not even caught up with this member's own log
            return Effect().reply(r.replyTo(), new Redirect("re-applying its log", ""));
        }
        Reply reply;
        try {
            reply = new Found(query(r.query(), System.currentTimeMillis()), appliedIndex, ctx.getSelf());
        } catch (InvalidFieldException e) {
            reply = new Written(new MemoryResult.Rejected(e.field(), e.reason()), ctx.getSelf());
        }
        return Effect().reply(r.replyTo(), reply);
    }

    private Effect<Event, State> onTick() {
        if (core == null) {
            return Effect().none();
        }
        core.tick(nowMillis());
        long now = System.nanoTime();
        if (now >= nextMaintenanceNanos) {
            nextMaintenanceNanos = now + 250_000_000L;
            expireWaiters(now);
            replaceLostVoters(now);
            purgeExpired();
        }
        // most ticks change nothing: take the Ready here rather than send a Flush 100 times a second per member
        return flushScheduled ? Effect().none() : onFlush();
    }

    private Effect<Event, State> onPeerFailed(PeerFailed cmd) {
        if (core == null || cmd.memberId().equals(memberId)) {
            return Effect().none();
        }
        confirmedFailedNanos.putIfAbsent(cmd.memberId(), System.nanoTime()); // the first verdict counts
        if (core.role() == RaftRole.LEADER) {
            replaceLostVoters(System.nanoTime());
            scheduleFlush();
        }
        return Effect().none();
    }

    /**
     * Expired entries are hidden from reads at once but hold memory (and snapshot space) until removed: the leader
     * proposes a {@link MemoryCommand.Purge} stamped with its own clock, so every replica removes exactly the same ones.
     */
    private void purgeExpired() {
        if (core.role() != RaftRole.LEADER || settings.purgeInterval().isZero()) {
            return;
        }
        long wallNow = System.currentTimeMillis();
        if (wallNow < nextPurgeAtMillis || !store.mayHoldExpiredAt(wallNow)) {
            return;
        }
        nextPurgeAtMillis = wallNow + settings.purgeInterval().toMillis();
        core.step(new LocalInput.Propose(nextRequestId++, codec.encodeCommand(new MemoryCommand.Purge(wallNow))), nowMillis());
    }

    /**
     * Straight to the peer's actor while it answers (its last message is younger than the shortest election timeout),
     * else through the transport (Cluster Sharding), which finds the member wherever it lives now. Raft tolerates the
     * loss and reordering this may cause when a member moves.
     */
    private void send(RaftMessage m) {
        Deliver d = new Deliver(generation, m, ctx.getSelf());
        PeerRef direct = peerRefs.get(m.to());
        if (direct != null && System.nanoTime() - direct.heardNanos() < directPeerNanos) {
            direct.ref().tell(d);
        } else {
            transport.send(swarmId, m.to(), d);
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.getSelf().tell(new Flush());
        }
    }

    private Effect<Event, State> onFlush() {
        flushScheduled = false;
        if (core == null) {
            return Effect().none();
        }
        Ready ready = core.ready();
        if (ready.isEmpty()) {
            return Effect().none();
        }
        // Before the write: an accepted write's entry may leave with this Ready (a leader sends while its own write is
        // in flight), so from now on it waits for its index and, should this member halt, hears "unknown", not "ask
        // elsewhere" (a retry could apply it twice). Waiters also register before the entries they wait for are applied.
        for (RequestOutcome o : ready.outcomes()) {
            onOutcome(o);
        }
        if (!ready.needsWrite(lastWrittenHardState)) {
            carryOut(ready, ready.messages());
            return Effect().none();
        }
        // every earlier write has completed (commands are stashed during one), so its term is durable
        Ready.MessagesAroundWrite split = ready.splitForWrite(lastWrittenHardState.term(),
                core.membership().voters().size() > 1);
        split.now().forEach(this::send);
        HardState hs = ready.hardState().orElse(new HardState(core.term(), core.votedFor(), core.commitIndex()));
        lastWrittenHardState = hs;
        journalWrites++;
        Persisted event = new Persisted(hs, ready.snapshot().map(List::of).orElse(List.of()), ready.restoreSnapshot(),
                ready.entries());
        return Effect().persist(event).thenRun(s -> carryOut(ready, split.afterWrite()));
    }

    /** Steps 2-4 of the Ready contract: send, apply, answer. */
    private void carryOut(Ready ready, List<RaftMessage> messages) {
        if (core == null) {
            return;
        }
        for (RaftMessage m : messages) {
            send(m);
        }
        ready.leaderState().ifPresent(ls -> {
            if (!ls.leader().isEmpty() && !ls.leader().equals(knownLeader)) {
                lastElectionAtMillis = System.currentTimeMillis();
                if (ls.role() == RaftRole.LEADER) {
                    long now = System.nanoTime();
                    core.membership().members().forEach(m -> lastHeardNanos.put(m, now));
                    log.debug("raft member {} of {} leads term {}", memberId, swarmId, ls.term());
                }
            }
            knownLeader = ls.leader();
        });
        if (ready.restoreSnapshot() && ready.snapshot().isPresent()) {
            Snapshot snap = ready.snapshot().get();
            store = new MemoryStore();
            store.restore(snap.data());
            appliedIndex = snap.index();
            lastSnapshotIndex = snap.index();
            if (snap.meta().term() > appliedTerm) {
                appliedTerm = snap.meta().term();
                dropWritesOfOlderTerms(appliedTerm);
            }
            for (Iterator<Map.Entry<Long, PendingWrite>> it = awaitingApply.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, PendingWrite> e = it.next();
                if (e.getKey() <= snap.index()) {
                    e.getValue().replyTo().tell(new Unknown("replaced by a snapshot from the leader"));
                    it.remove();
                }
            }
        }
        for (LogEntry e : ready.committed()) {
            apply(e);
        }
        serveReads();
        if (appliedIndex - lastSnapshotIndex >= settings.snapshotInterval()) {
            lastSnapshotIndex = appliedIndex;
            core.step(new LocalInput.SnapshotTaken(appliedIndex, store.snapshot()), nowMillis());
            scheduleFlush();
        }
    }

    private void onOutcome(RequestOutcome o) {
        if (o instanceof RequestOutcome.Accepted a) {
            PendingWrite w = proposing.remove(a.requestId());
            if (w != null) {
                awaitingApply.put(a.index(), new PendingWrite(a.term(), w.replyTo(), w.deadlineNanos()));
            }
        } else if (o instanceof RequestOutcome.Rejected r) {
            PendingWrite w = proposing.remove(r.requestId());
            if (w != null) {
                w.replyTo().tell(new Redirect(r.reason(), r.leaderHint()));
            }
            PendingRead read = readsAwaitingIndex.remove(r.requestId());
            if (read != null) {
                read.replyTo().tell(new Redirect(r.reason(), r.leaderHint()));
            }
            if (w == null && read == null) {
                log.debug("raft member {} of {}: request {} refused: {}", memberId, swarmId, r.requestId(), r.reason());
            }
        } else if (o instanceof RequestOutcome.ReadReady r) {
            PendingRead read = readsAwaitingIndex.remove(r.requestId());
            if (read != null) {
                readsAwaitingApply.add(new PendingRead(read.query(), read.replyTo(), r.readIndex(), read.deadlineNanos()));
            }
        }
    }

    private void apply(LogEntry e) {
        MemoryResult result = null;
        if (e.payload() instanceof EntryPayload.Command c) {
            result = store.applyEncoded(e.index(), c.data());
        }
        appliedIndex = e.index();
        if (e.term() > appliedTerm) {
            appliedTerm = e.term();
            dropWritesOfOlderTerms(e.term());
        }
        PendingWrite w = awaitingApply.remove(e.index());
        if (w == null) {
            return;
        }
        if (w.term() == e.term() && result != null) {
            w.replyTo().tell(new Written(result, ctx.getSelf()));
        } else {
            // another leader's entry took the index: ours was never applied, a retry is safe
            w.replyTo().tell(new Redirect("lost to a leader change", core.leader()));
        }
    }

    /**
     * Terms never decrease along a log, so once an entry of term {@code t} is committed no entry of an older term after
     * it can ever be committed: writes of older terms still waiting (at later indexes) were lost and may be retried at
     * once, instead of one by one as the new leader's log reaches their indexes.
     */
    private void dropWritesOfOlderTerms(long term) {
        for (Iterator<PendingWrite> it = awaitingApply.values().iterator(); it.hasNext(); ) {
            PendingWrite w = it.next();
            if (w.term() < term) {
                w.replyTo().tell(new Redirect("lost to a leader change", core.leader()));
                it.remove();
            }
        }
    }

    private void serveReads() {
        while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.peek().readIndex() <= appliedIndex) {
            PendingRead r = readsAwaitingApply.poll();
            Reply reply;
            try {
                reply = new Found(query(r.query(), System.currentTimeMillis()), r.readIndex(), ctx.getSelf());
            } catch (InvalidFieldException e) {
                reply = new Written(new MemoryResult.Rejected(e.field(), e.reason()), ctx.getSelf());
            }
            r.replyTo().tell(reply);
        }
    }

    private List<Item> query(Query q, long now) {
        if (q instanceof GetKey g) {
            return store.retrieve(g.namespace(), g.key(), now).map(e -> List.of(new Item(g.namespace(), g.key(), e)))
                    .orElse(List.of());
        } else if (q instanceof ListKeys l) {
            return store.list(l.namespace(), l.prefix(), l.limit(), now);
        } else if (q instanceof SearchKeys s) {
            return s.namespace().isEmpty() ? store.search(s.pattern(), s.limit(), now)
                    : store.search(s.namespace(), s.pattern(), s.limit(), now);
        }
        throw new IllegalArgumentException("unknown query " + q);
    }

    private void expireWaiters(long now) {
        proposing.values().removeIf(w -> expired(w.deadlineNanos(), now, w.replyTo(), new Redirect("timed out", "")));
        awaitingApply.values().removeIf(w -> expired(w.deadlineNanos(), now, w.replyTo(),
                new Unknown("not committed within the request timeout")));
        readsAwaitingIndex.values().removeIf(r -> expired(r.deadlineNanos(), now, r.replyTo()::tell,
                new Redirect("read index not confirmed in time", "")));
        readsAwaitingApply.removeIf(r -> expired(r.deadlineNanos(), now, r.replyTo()::tell,
                new Redirect("read index not applied in time", "")));
    }

    private static boolean expired(long deadline, long now, Answer replyTo, Reply reply) {
        if (now < deadline) {
            return false;
        }
        replyTo.tell(reply);
        return true;
    }

    /**
     * A leader replaces voters it has not heard from for {@code voter-replace-after}, or that the failure detector
     * confirmed failed ({@link PeerFailed}): it removes the lost voter, then promotes a live, caught-up learner while
     * the group has fewer than {@code max-voters}. One change at a time; the core refuses a change while the previous
     * one is uncommitted, and this runs again on the next maintenance tick.
     */
    private void replaceLostVoters(long now) {
        if (core.role() != RaftRole.LEADER) {
            return;
        }
        long limit = settings.voterReplaceAfter().toNanos();
        Membership m = core.membership();
        confirmedFailedNanos.keySet().retainAll(m.members()); // verdicts on members already removed are done with
        List<String> lost = new ArrayList<>();
        for (String v : m.voters()) {
            long silent = now - lastHeardNanos.getOrDefault(v, now);
            if (!v.equals(memberId) && (silent > limit || (confirmedFailed(v) && silent > corroborateNanos))) {
                lost.add(v);
            }
        }
        // live: answered within the last few heartbeats (a crash seconds ago must not look live)
        long recent = Math.min(limit, 4_000_000L * settings.core().heartbeatIntervalMillis());
        MembershipChange change;
        if (!lost.isEmpty()) {
            // remove first: dropping a dead voter never costs fault tolerance, while promoting a learner first could
            // make a group whose live voters are no longer a majority of it (if that learner is failing too)
            change = MembershipChange.remove(lost.get(0));
            log.info("raft group {}: voter {} lost ({}): {}", swarmId, lost.get(0),
                    confirmedFailed(lost.get(0)) ? "confirmed failed" : "silent for over " + settings.voterReplaceAfter(), change);
        } else if (m.voters().size() < settings.maxVoters()) {
            // top the group up with a caught-up learner, only while every voter is live: then the larger group
            // still has a live majority even if that learner fails right after
            boolean allVotersLive = m.voters().stream()
                    .allMatch(v -> v.equals(memberId) || now - lastHeardNanos.getOrDefault(v, Long.MIN_VALUE / 2) < recent);
            Optional<String> learner = m.learners().stream()
                    .filter(l -> !confirmedFailed(l))
                    .filter(l -> now - lastHeardNanos.getOrDefault(l, Long.MIN_VALUE / 2) < recent)
                    .filter(l -> core.matchIndexOf(l) >= core.commitIndex())
                    .findFirst();
            if (!allVotersLive || learner.isEmpty()) {
                return;
            }
            change = MembershipChange.promoteLearner(learner.get());
            log.info("raft group {}: {} voters of {}: {}", swarmId, m.voters().size(), settings.maxVoters(), change);
        } else {
            return;
        }
        core.step(new LocalInput.ChangeMembership(nextRequestId++, change), nowMillis());
    }

    /**
     * Confirmed failed by the failure detector, and the verdict not contradicted: a member still heard from well after
     * it was declared failed (a false verdict, e.g. under load) has its verdict dropped. The leader acts on a verdict
     * only once the member is silent at the Raft level too ({@code corroborateNanos}), so a false one removes nobody.
     */
    private boolean confirmedFailed(String member) {
        Long at = confirmedFailedNanos.get(member);
        if (at == null) {
            return false;
        }
        Long heard = lastHeardNanos.get(member);
        if (heard != null && heard - at > 2 * corroborateNanos) {
            confirmedFailedNanos.remove(member);
            return false;
        }
        return true;
    }

    private RaftStatus status() {
        if (core == null) {
            return new RaftStatus(swarmId, memberId, false, "stopped", 0, "", "", 0, appliedIndex, 0, 0, List.of(), 0, journalWrites, store.size());
        }
        Membership m = core.membership();
        List<MemberProgress> members = new ArrayList<>();
        for (String v : m.voters()) {
            members.add(new MemberProgress(v, true, v.equals(memberId) ? core.lastIndex() : core.matchIndexOf(v)));
        }
        for (String l : m.learners()) {
            members.add(new MemberProgress(l, false, l.equals(memberId) ? core.lastIndex() : core.matchIndexOf(l)));
        }
        return new RaftStatus(swarmId, memberId, true, core.role().name().toLowerCase(), core.term(), core.votedFor(), core.leader(),
                core.commitIndex(), appliedIndex, core.lastIndex(), core.snapshotIndex(), members, lastElectionAtMillis,
                journalWrites, store.size());
    }

    private long deadline() {
        return System.nanoTime() + settings.requestTimeout().toNanos();
    }

    private static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    // ---- events

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Bootstrapped.class, (s, e) -> {
                    ownedEntries = null;
                    return new State(e.generation(), true, HardState.INITIAL, Snapshot.bootstrap(e.membership()), List.of());
                })
                .onEvent(Persisted.class, this::applyPersisted)
                .onEvent(Retired.class, (s, e) -> {
                    ownedEntries = null;
                    return new State(s.generation(), false, HardState.INITIAL,
                            Snapshot.bootstrap(new Membership(List.of(), List.of())), List.of());
                })
                .build();
    }

    private State applyPersisted(State s, Persisted e) {
        Snapshot snap = s.snapshot();
        List<LogEntry> entries = s.entries();
        boolean snapshotted = !e.snapshot().isEmpty();
        if (snapshotted) {
            snap = e.snapshot().get(0);
            long from = snap.index();
            entries = e.restoreSnapshot() ? new ArrayList<>()
                    : new ArrayList<>(entries.stream().filter(x -> x.index() > from).toList());
        } else if (entries != ownedEntries) {
            entries = new ArrayList<>(entries);
        }
        if (!e.entries().isEmpty()) {
            long first = e.entries().get(0).index();
            int keep = (int) Math.max(0, Math.min(entries.size(), first - snap.index() - 1));
            if (keep < entries.size()) {
                entries.subList(keep, entries.size()).clear();
            }
            entries.addAll(e.entries());
        }
        if (snapshotted) {
            // this state is saved as a Pekko snapshot (asynchronously): it must never change afterwards
            ownedEntries = null;
            return new State(s.generation(), s.active(), e.hardState(), snap, List.copyOf(entries));
        }
        ownedEntries = entries;
        return new State(s.generation(), s.active(), e.hardState(), snap, entries);
    }
}

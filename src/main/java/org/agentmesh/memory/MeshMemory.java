package org.agentmesh.memory;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.agentmesh.actor.Asks;
import org.agentmesh.failure.WriteGuard;
import org.agentmesh.failure.WriteRefused;
import org.agentmesh.memory.RaftMember.Reply;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * The linearizable mesh memory of every swarm, as a Java API: {@code AgentMesh.get(system).memory()}.
 *
 * <p><b>Writes</b> ({@link #store}, {@link #delete}, {@link #cas}) go to the member believed to lead; a member that
 * does not lead answers with its leader hint and the request follows it (after a short pause when no leader is known),
 * until the request timeout. A write is retried only when it was certainly not applied (refused, or its log index was
 * taken by another leader's entry). When its fate is unknown (the leader went silent after accepting it) it fails with
 * {@link NoMajorityException} rather than risk applying it twice.
 *
 * <p><b>Reads</b> ({@link #retrieve}, {@link #list}, {@link #search}) use Raft's ReadIndex: no log write; the member
 * asked confirms (or, if a follower, has the leader confirm) that the leader still leads, then answers from its own
 * state once it has applied that index. Reads are sent to the leader too (a follower would have to catch up first) and
 * are retried on any member, since retrying a read is always safe.
 *
 * <p><b>On a minority side</b> (the write guard refuses: this node's agents are READ_ONLY) writes fail at once with
 * {@link WriteRefused} and nothing is sent; reads ask every member at once for what it has applied
 * ({@link RaftMember.LocalRead}) and take the first answer, which may be stale ({@link #readsMayBeStale}).
 *
 * <p>Every method is asynchronous; failures are {@link InvalidFieldException} (bad input, naming the field),
 * {@link WriteRefused} (read-only mode) and {@link NoMajorityException} (no majority within the request timeout).
 */
public final class MeshMemory {

    /** The members of a swarm's group in contact order (initial voters first); fails if the swarm does not exist. */
    @FunctionalInterface
    public interface Directory {
        CompletionStage<List<String>> members(String swarmId);
    }

    /** Where a member lives: a sharding entity ref in a mesh, a plain actor ref in tests. */
    @FunctionalInterface
    public interface Route {
        RecipientRef<RaftMember.Command> member(String swarmId, String memberId);
    }

    /** The outcome of a compare-and-set: {@code version} is the new version if it matched, else the current one (0: absent). */
    public record CasOutcome(boolean succeeded, long version) {}

    private static final Duration READ_ATTEMPT_TIMEOUT = Duration.ofSeconds(1);

    private final ActorSystem<?> system;
    private final RaftSettings settings;
    private final Directory directory;
    private final Route route;
    private final Function<String, WriteGuard.Decision> writeGuard;
    private final Map<String, String> leaders = new ConcurrentHashMap<>();
    /** Per swarm, the own actor of the member that last answered, while it keeps answering (see {@link #recipient}). */
    private final Map<String, Direct> direct = new ConcurrentHashMap<>();
    private final long directNanos;

    private record Direct(String memberId, ActorRef<RaftMember.Command> ref, long answeredNanos) {}

    /** A memory that always accepts writes (no partition detection: tests of the Raft group alone). */
    public MeshMemory(ActorSystem<?> system, RaftSettings settings, Directory directory, Route route) {
        this(system, settings, directory, route, swarmId -> new WriteGuard.Allowed());
    }

    /** {@code writeGuard}: the node's read-only check per swarm, made before every write and read. */
    public MeshMemory(ActorSystem<?> system, RaftSettings settings, Directory directory, Route route,
            Function<String, WriteGuard.Decision> writeGuard) {
        this.system = system;
        this.settings = settings;
        this.directory = directory;
        this.route = route;
        this.writeGuard = writeGuard;
        this.directNanos = settings.core().electionTimeoutMinMillis() * 1_000_000L;
    }

    /** Whether reads of {@code swarmId} answered now skip the leader (read-only mode) and so may be stale. */
    public boolean readsMayBeStale(String swarmId) {
        return !writeGuard.apply(swarmId).allowed();
    }

    public RaftSettings settings() {
        return settings;
    }

    /** Stores {@code value} under {@code key} ({@code ttl} zero: no expiry); completes with the new version. */
    public CompletionStage<Long> store(String swarmId, String namespace, String key, JsonNode value, Duration ttl) {
        return write(swarmId, () -> new RaftMember.StoreOp(validNamespace(namespace), validKey(key),
                MemoryLimits.present(value, "value"), validTtl(ttl)))
                .thenApply(r -> ((MemoryResult.Stored) r).version());
    }

    /** Deletes {@code key}; completes with the version it had, or empty if it was absent. */
    public CompletionStage<Optional<Long>> delete(String swarmId, String namespace, String key) {
        return write(swarmId, () -> new RaftMember.DeleteOp(validNamespace(namespace), validKey(key)))
                .thenApply(r -> r instanceof MemoryResult.Deleted d ? Optional.of(d.version()) : Optional.empty());
    }

    /** Writes {@code value} only if the key's version is {@code expectedVersion} (0: only if absent). */
    public CompletionStage<CasOutcome> cas(String swarmId, String namespace, String key, long expectedVersion,
            JsonNode value, Duration ttl) {
        return write(swarmId, () -> new RaftMember.CasOp(validNamespace(namespace), validKey(key),
                MemoryLimits.requireValidExpectedVersion(expectedVersion), MemoryLimits.present(value, "value"), validTtl(ttl)))
                .thenApply(r -> r instanceof MemoryResult.CasOk ok ? new CasOutcome(true, ok.newVersion())
                        : new CasOutcome(false, ((MemoryResult.CasConflict) r).currentVersion()));
    }

    /** The live entry of {@code key}, if any. */
    public CompletionStage<Optional<Entry>> retrieve(String swarmId, String namespace, String key) {
        return read(swarmId, () -> new RaftMember.GetKey(validNamespace(namespace), validKey(key)))
                .thenApply(items -> items.isEmpty() ? Optional.empty() : Optional.of(items.get(0).entry()));
    }

    /** Live entries of {@code namespace} whose key starts with {@code prefix}, sorted by key, at most {@code limit}. */
    public CompletionStage<List<Item>> list(String swarmId, String namespace, String prefix, int limit) {
        return read(swarmId, () -> new RaftMember.ListKeys(validNamespace(namespace),
                MemoryLimits.requireValidPrefix(prefix), MemoryLimits.requireValidLimit(limit)));
    }

    /**
     * Live entries whose key matches {@code pattern} (a glob with {@code *}/{@code ?}, else a substring), in
     * {@code namespace} or, when it is empty, in every namespace.
     */
    public CompletionStage<List<Item>> search(String swarmId, String namespace, String pattern, int limit) {
        return read(swarmId, () -> new RaftMember.SearchKeys(namespace.isEmpty() ? "" : validNamespace(namespace),
                new KeyPattern(pattern).pattern(), MemoryLimits.requireValidLimit(limit)));
    }

    /** The group as its leader sees it (or as the first member that answers sees it, when there is no leader). */
    public CompletionStage<RaftMember.RaftStatus> raftStatus(String swarmId) {
        long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        return directory.members(swarmId).thenCompose(members -> {
            String first = leaders.getOrDefault(swarmId, members.get(0));
            return anyStatus(swarmId, members, members.contains(first) ? first : members.get(0), 0, deadline).thenCompose(s -> {
                if (s.leader().isEmpty() || s.leader().equals(s.member()) || !members.contains(s.leader())) {
                    return CompletableFuture.completedFuture(s);
                }
                return statusOf(swarmId, s.leader(), READ_ATTEMPT_TIMEOUT).exceptionally(e -> s);
            });
        });
    }

    /** The status of {@code target}, or of the next members in turn if it does not answer (it may have failed). */
    private CompletionStage<RaftMember.RaftStatus> anyStatus(String swarmId, List<String> members, String target, int tried,
            long deadline) {
        long remaining = deadline - System.nanoTime();
        Duration timeout = Duration.ofNanos(Math.max(1, Math.min(remaining, READ_ATTEMPT_TIMEOUT.toNanos())));
        return statusOf(swarmId, target, timeout).handle((s, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(s);
            }
            if (tried + 1 >= members.size() || System.nanoTime() >= deadline) {
                return CompletableFuture.<RaftMember.RaftStatus>failedFuture(new NoMajorityException(
                        "no member of swarm " + swarmId + "'s Raft group answered"));
            }
            return anyStatus(swarmId, members, next(members, target), tried + 1, deadline);
        }).thenCompose(Function.identity());
    }

    private CompletionStage<RaftMember.RaftStatus> statusOf(String swarmId, String member, Duration timeout) {
        return Asks.ask(route.member(swarmId, member), RaftMember.GetStatus::new, timeout, system.scheduler());
    }

    /**
     * The failure detector confirmed that agent {@code agentId} of {@code swarmId} failed: every other member of the
     * swarm's group hears of it, and whichever leads (now or later) replaces that voter by a membership change.
     */
    public void peerFailed(String swarmId, String agentId) {
        directory.members(swarmId).thenAccept(members -> {
            for (String m : members) {
                if (!m.equals(agentId)) { // telling the failed member would only wake it up
                    route.member(swarmId, m).tell(new RaftMember.PeerFailed(agentId));
                }
            }
        });
    }

    /** Forgets cached leaders of a swarm (it shut down). */
    public void forget(String swarmId) {
        leaders.remove(swarmId);
    }

    // ---- request routing

    private interface Op<T> {
        T get();
    }

    private CompletionStage<MemoryResult> write(String swarmId, Op<RaftMember.WriteOp> op) {
        RaftMember.WriteOp w;
        try {
            if (writeGuard.apply(swarmId) instanceof WriteGuard.Refused refused) {
                throw new WriteRefused(refused.reason());
            }
            w = op.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return batchers.computeIfAbsent(swarmId, WriteBatcher::new).submit(w).thenApply(reply -> {
            MemoryResult result = ((RaftMember.Written) reply).result();
            if (result instanceof MemoryResult.Rejected r) {
                throw new InvalidFieldException(r.field(), r.reason());
            }
            return result;
        });
    }

    // ---- write batching: while a swarm's earlier writes from this node are under way, later ones wait and go together

    /** Batches of one swarm's writes in flight from this node at once; writes arriving meanwhile wait for a slot. */
    static final int BATCHES_IN_FLIGHT = 2;
    /** Writes in one batch at most. */
    static final int MAX_BATCH = 256;

    private final Map<String, WriteBatcher> batchers = new ConcurrentHashMap<>();

    private record Queued(RaftMember.WriteOp op, CompletableFuture<Reply> answer, long deadlineNanos) {}

    /**
     * One swarm's writes from this node. A write is sent at once when fewer than {@link #BATCHES_IN_FLIGHT} batches are
     * under way (a lone client waits for nothing), else it waits and goes with the others that arrive meanwhile, in one
     * {@link RaftMember.WriteBatch}: one message each way for many writes, and one journal write for all of them on the
     * leader. Each write is still its own log entry with its own answer. Under load this is what lets requests from
     * another node reach the leader together instead of one by one (measured: 1.8 entries per log write before).
     */
    private final class WriteBatcher {
        private final String swarmId;
        private final java.util.ArrayDeque<Queued> waiting = new java.util.ArrayDeque<>();
        private int inFlight;

        WriteBatcher(String swarmId) {
            this.swarmId = swarmId;
        }

        CompletionStage<Reply> submit(RaftMember.WriteOp op) {
            Queued q = new Queued(op, new CompletableFuture<>(), System.nanoTime() + settings.requestTimeout().toNanos());
            List<Queued> batch;
            synchronized (this) {
                waiting.add(q);
                batch = takeBatch();
            }
            if (batch != null) {
                send(batch);
            }
            return q.answer();
        }

        /** The next batch, if a slot is free; called holding the lock. */
        private List<Queued> takeBatch() {
            if (inFlight >= BATCHES_IN_FLIGHT || waiting.isEmpty()) {
                return null;
            }
            inFlight++;
            List<Queued> batch = new java.util.ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
            while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(waiting.poll());
            }
            return batch;
        }

        private void send(List<Queued> batch) {
            sendBatch(swarmId, batch).whenComplete((ignored, error) -> {
                List<Queued> next;
                synchronized (this) {
                    inFlight--;
                    next = takeBatch();
                }
                if (next != null) {
                    send(next);
                }
            });
        }
    }

    /** Sends one batch to the member believed to lead and completes every write's answer; never completes exceptionally. */
    private CompletionStage<Void> sendBatch(String swarmId, List<Queued> batch) {
        long deadline = batch.get(0).deadlineNanos(); // the oldest write's
        List<RaftMember.WriteOp> ops = batch.stream().map(Queued::op).toList();
        return directory.members(swarmId).thenCompose(members -> {
            if (members.isEmpty()) {
                throw new NoMajorityException("swarm " + swarmId + " has no members");
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) { // never sent: certainly not applied
                throw timedOut(swarmId);
            }
            String target = believedLeader(swarmId, members);
            return Asks.<RaftMember.Command, Reply>ask(recipient(swarmId, target),
                    replyTo -> new RaftMember.WriteBatch(ops, replyTo), Duration.ofNanos(remaining), system.scheduler())
                    .handle((reply, error) -> {
                        answerBatch(swarmId, members, target, batch, reply, error);
                        return (Void) null;
                    });
        }).exceptionally(error -> {
            batch.forEach(q -> q.answer().completeExceptionally(unwrap(error)));
            return null;
        });
    }

    /** Hands each write of a batch its answer, following redirects write by write (a redirected write was not applied). */
    private void answerBatch(String swarmId, List<String> members, String target, List<Queued> batch, Reply reply,
            Throwable error) {
        if (error != null) {
            direct.remove(swarmId);
            leaders.put(swarmId, next(members, target));
            NoMajorityException unknown = outcomeUnknown(swarmId);
            batch.forEach(q -> q.answer().completeExceptionally(unknown));
            return;
        }
        if (reply instanceof RaftMember.WrittenBatch written && written.replies().size() == batch.size()) {
            answeredBy(swarmId, target, written.member());
            for (int i = 0; i < batch.size(); i++) {
                answerOne(swarmId, members, target, batch.get(i), written.replies().get(i));
            }
            return;
        }
        direct.remove(swarmId);
        batch.forEach(q -> answerOne(swarmId, members, target, q, reply));
    }

    private void answerOne(String swarmId, List<String> members, String target, Queued q, Reply reply) {
        if (reply instanceof RaftMember.Written) {
            q.answer().complete(reply);
        } else if (reply instanceof RaftMember.Redirect r) {
            // not applied: on alone, the way a single write follows a redirect
            pipe(followRedirect(swarmId, members, target, r, replyTo -> new RaftMember.Write(q.op(), replyTo), true,
                    q.deadlineNanos(), 0), q.answer());
        } else if (reply instanceof RaftMember.Unknown u) {
            q.answer().completeExceptionally(notCommittedInTime(u));
        } else {
            q.answer().completeExceptionally(new IllegalStateException("unexpected answer to a write: " + reply));
        }
    }

    private CompletionStage<List<Item>> read(String swarmId, Op<RaftMember.Query> query) {
        RaftMember.Query q;
        try {
            q = query.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletionStage<Reply> answer = readsMayBeStale(swarmId)
                ? firstLocalAnswer(swarmId, replyTo -> new RaftMember.LocalRead(q, replyTo))
                : call(swarmId, replyTo -> new RaftMember.Read(q, replyTo), false);
        return answer.thenApply(reply -> {
            if (reply instanceof RaftMember.Written w && w.result() instanceof MemoryResult.Rejected r) {
                throw new InvalidFieldException(r.field(), r.reason());
            }
            return ((RaftMember.Found) reply).items();
        });
    }

    /**
     * Asks every member at once and completes with the first {@link RaftMember.Found} (or rejection): on a minority
     * side most members may be out of reach, and which ones are is not known here.
     */
    private CompletionStage<Reply> firstLocalAnswer(String swarmId, Function<ActorRef<Reply>, RaftMember.Command> message) {
        Duration timeout = settings.requestTimeout();
        return directory.members(swarmId).thenCompose(members -> {
            CompletableFuture<Reply> first = new CompletableFuture<>();
            java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger(members.size());
            for (String m : members) {
                Asks.<RaftMember.Command, Reply>ask(route.member(swarmId, m), message, timeout, system.scheduler())
                        .whenComplete((reply, error) -> {
                            if (error == null && !(reply instanceof RaftMember.Redirect)) {
                                first.complete(reply);
                            } else if (pending.decrementAndGet() == 0) {
                                first.completeExceptionally(new NoMajorityException("read-only mode and no member of swarm "
                                        + swarmId + "'s Raft group answered within " + timeout.toMillis() + " ms"));
                            }
                        });
            }
            if (members.isEmpty()) {
                first.completeExceptionally(new NoMajorityException("swarm " + swarmId + " has no members"));
            }
            return first;
        });
    }

    private CompletionStage<Reply> call(String swarmId, Function<ActorRef<Reply>, RaftMember.Command> message, boolean write) {
        long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        return directory.members(swarmId).thenCompose(members -> {
            if (members.isEmpty()) {
                throw new NoMajorityException("swarm " + swarmId + " has no members");
            }
            return attempt(swarmId, members, believedLeader(swarmId, members), message, write, deadline, 0);
        });
    }

    private CompletionStage<Reply> attempt(String swarmId, List<String> members, String target,
            Function<ActorRef<Reply>, RaftMember.Command> message, boolean write, long deadline, int hops) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return CompletableFuture.failedFuture(timedOut(swarmId));
        }
        // a write asked once must not be asked again if we cannot tell whether it was applied: wait for it
        Duration timeout = write ? Duration.ofNanos(remaining)
                : Duration.ofNanos(Math.min(remaining, READ_ATTEMPT_TIMEOUT.toNanos()));
        CompletionStage<Reply> asked = Asks.ask(recipient(swarmId, target), message, timeout, system.scheduler());
        return asked.handle((reply, error) -> {
            if (error != null || !(reply instanceof RaftMember.Written || reply instanceof RaftMember.Found)) {
                direct.remove(swarmId); // next time through Cluster Sharding, which finds the member wherever it is
            }
            if (error != null) {
                leaders.put(swarmId, next(members, target));
                if (write) {
                    return CompletableFuture.<Reply>failedFuture(outcomeUnknown(swarmId));
                }
                return attempt(swarmId, members, next(members, target), message, false, deadline, hops + 1);
            }
            if (reply instanceof RaftMember.Redirect r) {
                return followRedirect(swarmId, members, target, r, message, write, deadline, hops);
            }
            if (reply instanceof RaftMember.Unknown u) {
                return CompletableFuture.<Reply>failedFuture(notCommittedInTime(u));
            }
            answeredBy(swarmId, target, reply instanceof RaftMember.Written w ? w.member() : ((RaftMember.Found) reply).member());
            return CompletableFuture.completedFuture(reply);
        }).thenCompose(Function.identity());
    }

    /**
     * Asks again after a redirect (the request was not done): the hinted leader at once, but not in circles (members
     * with stale views may point at each other), else the next member after the retry backoff.
     */
    private CompletionStage<Reply> followRedirect(String swarmId, List<String> members, String target, RaftMember.Redirect r,
            Function<ActorRef<Reply>, RaftMember.Command> message, boolean write, long deadline, int hops) {
        boolean useHint = !r.leaderHint().isEmpty() && !r.leaderHint().equals(target) && members.contains(r.leaderHint());
        String nextTarget = useHint ? r.leaderHint() : next(members, target);
        if (useHint) {
            leaders.put(swarmId, nextTarget); // later requests go straight there
        }
        if (useHint && hops < 2 * members.size()) {
            return attempt(swarmId, members, nextTarget, message, write, deadline, hops + 1);
        }
        CompletableFuture<Reply> later = new CompletableFuture<>();
        system.scheduler().scheduleOnce(settings.retryBackoff(),
                () -> pipe(attempt(swarmId, members, nextTarget, message, write, deadline, hops + 1), later),
                system.executionContext());
        return later;
    }

    /** The member believed to lead: the last one that answered as leader, else the first member. */
    private String believedLeader(String swarmId, List<String> members) {
        String first = leaders.getOrDefault(swarmId, members.get(0));
        return members.contains(first) ? first : members.get(0);
    }

    /** {@code target} answered as leader from its own actor {@code member}: later requests go straight there. */
    private void answeredBy(String swarmId, String target, ActorRef<RaftMember.Command> member) {
        leaders.put(swarmId, target);
        direct.put(swarmId, new Direct(target, member, System.nanoTime()));
    }

    private NoMajorityException timedOut(String swarmId) {
        return new NoMajorityException("no majority of swarm " + swarmId + "'s Raft group answered within "
                + settings.requestTimeout().toMillis() + " ms");
    }

    private NoMajorityException outcomeUnknown(String swarmId) {
        return new NoMajorityException("no answer from the Raft group of swarm " + swarmId + " within "
                + settings.requestTimeout().toMillis() + " ms; the write's outcome is unknown");
    }

    private static NoMajorityException notCommittedInTime(RaftMember.Unknown u) {
        return new NoMajorityException("the write was not committed in time (" + u.reason() + "); its outcome is unknown");
    }

    private static void pipe(CompletionStage<Reply> from, CompletableFuture<Reply> to) {
        from.whenComplete((answer, e) -> {
            if (e != null) {
                to.completeExceptionally(unwrap(e));
            } else {
                to.complete(answer);
            }
        });
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /**
     * Straight to the member's own actor while it keeps answering (its last answer is younger than the shortest election
     * timeout): that skips Cluster Sharding's region and shard hops on every request. Otherwise through Cluster Sharding.
     */
    private RecipientRef<RaftMember.Command> recipient(String swarmId, String target) {
        Direct d = direct.get(swarmId);
        if (d != null && d.memberId().equals(target) && System.nanoTime() - d.answeredNanos() < directNanos) {
            return d.ref();
        }
        return route.member(swarmId, target);
    }

    private static String next(List<String> members, String current) {
        int i = members.indexOf(current);
        return members.get((i + 1) % members.size());
    }

    private static String validNamespace(String namespace) {
        return MemoryLimits.requireValidNamespace(namespace);
    }

    private static String validKey(String key) {
        return MemoryLimits.requireValidKey(key);
    }

    private static long validTtl(Duration ttl) {
        if (ttl == null || ttl.isNegative()) {
            throw new InvalidFieldException("ttl", "must be zero (no expiry) or positive");
        }
        return ttl.toMillis();
    }
}

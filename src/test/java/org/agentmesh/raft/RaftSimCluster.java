package org.agentmesh.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.agentmesh.sim.NetworkConditions;
import org.agentmesh.sim.SimNetwork;
import org.agentmesh.sim.Simulation;

/**
 * A Raft cluster on the deterministic simulator: each node is a {@link RaftCore} with a {@link MemoryRaftStorage}
 * (durable across crashes) and a {@link HashChainStateMachine}; the harness plays the actor shell, carrying out every
 * {@link Ready} by its contract. The Raft safety properties are checked as the run goes, after every event:
 * election safety, log matching, leader completeness, state machine safety, and linearizability of read indexes.
 */
final class RaftSimCluster {

    static final long TICK_MILLIS = 10;

    final class Node {
        final String id;
        final MemoryRaftStorage storage;
        RaftCore core;
        HashChainStateMachine sm;
        long applied;
        final List<RequestOutcome> outcomes = new ArrayList<>();
        // shell persistence (see shellPersistence): the write under way, what waits for it, what was last written
        Ready writing;
        HardState writingHardState;
        final java.util.ArrayDeque<Runnable> stashed = new java.util.ArrayDeque<>();
        HardState lastWritten = HardState.INITIAL;

        Node(String id, Membership initial) {
            this.id = id;
            this.storage = new MemoryRaftStorage(initial);
        }

        boolean alive() {
            return core != null;
        }

        @Override
        public String toString() {
            return alive() ? core.toString() + " applied=" + applied : id + "[crashed]";
        }
    }

    private record Seen(EntryPayload payload, long prevTerm) {}

    private record PendingRead(String node, long maxCommittedAtIssue) {}

    private record Issued(String node, int incarnation, LocalInput input) {}

    final Simulation sim;
    final SimNetwork<RaftMessage> net;
    final RaftConfig config;
    final TreeMap<String, Node> nodes = new TreeMap<>();
    /** Take a snapshot when this many entries were applied since the last one; 0 for never. */
    int snapshotEvery;
    /** Messages matching this are dropped on delivery (for scripted scenarios). */
    java.util.function.Predicate<RaftMessage> dropIf = m -> false;
    /**
     * Carry out each Ready the way the actor shell ({@code RaftMember}) does rather than by the plain contract: the
     * journal write takes time, during which every input waits (Pekko stashes commands while persisting); a leader's
     * appends and heartbeats of an already durable term go out before its own write (Raft thesis 10.2.1), everything
     * else after it; a Ready that changes only the commit index is not written at all; and a crash during a write
     * either loses it or lets it land (a journal may commit what it had taken before the node died).
     */
    boolean shellPersistence;
    /** Longest journal write in {@link #shellPersistence} mode, in virtual milliseconds. */
    long maxWriteMillis = 20;

    /** Applied to messages on delivery, after {@link #dropIf} (for scripted scenarios). */
    java.util.function.UnaryOperator<RaftMessage> rewrite = m -> m;

    // safety bookkeeping
    private final Map<Long, String> leaderOfTerm = new HashMap<>();
    private final Map<Long, Map<Long, Seen>> seenEntries = new HashMap<>();
    private final Map<Long, LogEntry> committed = new HashMap<>();
    private final Map<Long, Long> commitTerm = new HashMap<>();
    private final Map<Long, Long> digestAt = new HashMap<>();
    private final Map<Long, PendingRead> pendingReads = new HashMap<>();
    /** Every request not answered yet, to check that none is left hanging. */
    private final Map<Long, Issued> unanswered = new TreeMap<>();
    private long maxCommitted;
    private long committedConfigIndex;
    private Membership committedMembership;
    private long requestSeq;

    // statistics
    long leadersElected;
    long readsConfirmed;
    long snapshotsInstalled;
    long snapshotsTaken;
    long proposalsAccepted;

    RaftSimCluster(long seed, RaftConfig config, NetworkConditions conditions, List<String> voters) {
        this.sim = new Simulation(seed);
        this.config = config;
        this.net = new SimNetwork<>(sim, conditions, this::deliver);
        Membership initial = new Membership(voters, List.of());
        committedMembership = initial;
        for (String v : voters) {
            nodes.put(v, new Node(v, initial));
        }
        sim.afterEachStep(this::checkElectionSafety);
        digestAt.put(0L, new HashChainStateMachine().digest());
        for (String v : voters) {
            start(v);
        }
    }

    // ------------------------------------------------------------------ driving

    /** Adds a node that knows nothing yet (empty configuration): it waits for a leader to bring it in. */
    Node addNode(String id) {
        Node n = new Node(id, new Membership(List.of(), List.of()));
        nodes.put(id, n);
        start(id);
        return n;
    }

    Node node(String id) {
        return nodes.get(id);
    }

    void crash(String id) {
        Node n = nodes.get(id);
        net.crash(id);
        if (n.writing != null && sim.random().nextBoolean()) {
            n.storage.persist(n.writing, n.writingHardState); // the journal had taken it: it lands after the crash
        }
        n.writing = null;
        n.stashed.clear();
        n.core = null;
        n.sm = null;
    }

    void restart(String id) {
        net.restart(id);
        start(id);
    }

    private void start(String id) {
        Node n = nodes.get(id);
        DurableState d = n.storage.load();
        n.lastWritten = d.hardState();
        n.sm = new HashChainStateMachine();
        n.sm.restore(d.snapshot().data());
        n.applied = d.snapshot().index();
        checkDigest(n, n.applied);
        n.core = new RaftCore(id, config, d, new SplittableRandom(sim.random().nextLong()), sim.now());
        scheduleTick(n, net.incarnationOf(id));
        process(n);
    }

    private void scheduleTick(Node n, int incarnation) {
        net.timer(n.id, TICK_MILLIS, () -> {
            if (n.core == null || net.incarnationOf(n.id) != incarnation) {
                return;
            }
            input(n, () -> {
                RaftRole before = n.core.role();
                long termBefore = n.core.term();
                n.core.tick(sim.now());
                if (TRACE && (n.core.role() != before || n.core.term() != termBefore)) {
                    System.out.println(sim.now() + " " + n.id + " tick -> " + n.core);
                }
            });
            scheduleTick(n, incarnation);
        });
    }

    static final boolean TRACE = Boolean.getBoolean("raft.trace");

    private void deliver(String from, String to, RaftMessage m) {
        Node n = nodes.get(to);
        if (TRACE && n != null && n.core != null) {
            System.out.println(sim.now() + " " + to + " <- " + m + (dropIf.test(m) ? " DROPPED" : ""));
        }
        if (n == null || n.core == null || dropIf.test(m)) {
            return;
        }
        RaftMessage delivered = rewrite.apply(m);
        input(n, () -> n.core.step(delivered, sim.now()));
    }

    /**
     * Steps the node's core with {@code step} and carries out the result; while the node writes its journal the input
     * waits instead (the shell stashes commands meanwhile), and all that waited are stepped together after the write,
     * so their results go out in one Ready (as the shell's single Flush after unstashing does).
     */
    private void input(Node n, Runnable step) {
        if (n.writing != null) {
            n.stashed.add(step);
        } else {
            step.run();
            process(n);
        }
    }

    /** Feeds a local request to a live node and processes the result; returns its outcome if it came at once. */
    Optional<RequestOutcome> request(String id, LocalInput input) {
        Node n = nodes.get(id);
        int before = n.outcomes.size();
        unanswered.put(requestIdOf(input), new Issued(id, net.incarnationOf(id), input));
        if (TRACE) {
            System.out.println(sim.now() + " " + id + " request " + input + " at " + n.core);
        }
        input(n, () -> n.core.step(input, sim.now()));
        long rid = requestIdOf(input);
        for (int i = before; i < n.outcomes.size(); i++) {
            if (n.outcomes.get(i).requestId() == rid) {
                return Optional.of(n.outcomes.get(i));
            }
        }
        return Optional.empty();
    }

    private static long requestIdOf(LocalInput input) {
        if (input instanceof LocalInput.Propose p) {
            return p.requestId();
        } else if (input instanceof LocalInput.ChangeMembership c) {
            return c.requestId();
        } else if (input instanceof LocalInput.TransferLeadership t) {
            return t.requestId();
        } else if (input instanceof LocalInput.ReadIndex r) {
            return r.requestId();
        }
        return -1;
    }

    long nextRequestId() {
        return ++requestSeq;
    }

    Optional<RequestOutcome> propose(String id, String command) {
        return request(id, new LocalInput.Propose(nextRequestId(), command.getBytes(StandardCharsets.UTF_8)));
    }

    Optional<RequestOutcome> changeMembership(String id, MembershipChange change) {
        return request(id, new LocalInput.ChangeMembership(nextRequestId(), change));
    }

    Optional<RequestOutcome> transferLeadership(String id, String target) {
        return request(id, new LocalInput.TransferLeadership(nextRequestId(), target));
    }

    /** Issues a read index request at {@code id}; returns its request id (the outcome arrives in the node's list). */
    long read(String id) {
        long rid = nextRequestId();
        pendingReads.put(rid, new PendingRead(id, maxCommitted));
        request(id, new LocalInput.ReadIndex(rid));
        return rid;
    }

    /** The outcome of request {@code rid} at node {@code id}, if it has arrived. */
    Optional<RequestOutcome> outcome(String id, long rid) {
        for (RequestOutcome o : nodes.get(id).outcomes) {
            if (o.requestId() == rid) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** Carries out the node's Ready by the contract: persist, send, apply, deliver outcomes. */
    private void process(Node n) {
        while (n.core != null && n.writing == null) {
            Ready r = n.core.ready();
            if (r.isEmpty()) {
                return;
            }
            checkNewEntries(n, r.entries());
            if (r.leaderState().isPresent() && r.leaderState().get().role() == RaftRole.LEADER) {
                leadersElected++;
                checkLeaderCompleteness(n);
            }
            if (shellPersistence) {
                if (startWrite(n, r)) {
                    return; // the rest once the write is done
                }
                carryOut(n, r, r.messages());
                continue;
            }
            // 1. persist
            n.storage.persist(r);
            checkStorageMatches(n);
            carryOut(n, r, r.messages());
        }
    }

    /**
     * The shell's journal write, if the Ready needs one: entries, a snapshot, or a new term or vote (a commit index
     * alone is not written). Starts it and returns true; the Ready is carried out when it completes.
     */
    private boolean startWrite(Node n, Ready r) {
        if (!r.needsWrite(n.lastWritten)) {
            return false;
        }
        Ready.MessagesAroundWrite split = r.splitForWrite(n.lastWritten.term(),
                n.core.membership().voters().size() > 1);
        split.now().forEach(m -> net.send(m.from(), m.to(), m));
        List<RaftMessage> later = split.afterWrite();
        HardState hs = r.hardState().orElse(new HardState(n.core.term(), n.core.votedFor(), n.core.commitIndex()));
        n.lastWritten = hs;
        n.writing = r;
        n.writingHardState = hs;
        int incarnation = net.incarnationOf(n.id);
        sim.schedule(1 + sim.random().nextLong(maxWriteMillis), () -> {
            if (n.core == null || net.incarnationOf(n.id) != incarnation) {
                return; // crashed meanwhile: crash() decided whether the write landed
            }
            n.storage.persist(r, hs);
            n.writing = null;
            checkStorageMatches(n);
            carryOut(n, r, later);
            while (n.core != null && !n.stashed.isEmpty()) {
                n.stashed.poll().run();
            }
            process(n);
        });
        return true;
    }

    private static void checkStorageMatches(Node n) {
        if (n.storage.lastIndex() != n.core.lastIndex()) {
            throw new AssertionError(n.id + ": storage ends at " + n.storage.lastIndex() + " but the core at "
                    + n.core.lastIndex());
        }
    }

    /** Steps 2-4 of the contract: send, apply, deliver outcomes; then a snapshot if one is due. */
    private void carryOut(Node n, Ready r, List<RaftMessage> messages) {
        // 2. send
        for (RaftMessage m : messages) {
            net.send(m.from(), m.to(), m);
        }
        // 3. apply
        if (r.restoreSnapshot()) {
            Snapshot s = r.snapshot().orElseThrow();
            n.sm.restore(s.data());
            n.applied = s.index();
            snapshotsInstalled++;
            checkDigest(n, n.applied);
        }
        boolean leader = n.core.role() == RaftRole.LEADER;
        for (LogEntry e : r.committed()) {
            applyCommitted(n, e, leader);
        }
        // 4. outcomes
        for (RequestOutcome o : r.outcomes()) {
            n.outcomes.add(o);
            unanswered.remove(o.requestId());
            if (TRACE) {
                System.out.println(sim.now() + " " + n.id + " outcome " + o);
            }
            if (o instanceof RequestOutcome.ReadReady rr) {
                checkRead(n, rr);
            } else if (o instanceof RequestOutcome.Accepted) {
                proposalsAccepted++;
            }
        }
        if (snapshotEvery > 0 && n.applied - n.core.snapshotIndex() >= snapshotEvery) {
            snapshotsTaken++;
            n.core.step(new LocalInput.SnapshotTaken(n.applied, n.sm.snapshot()), sim.now());
        }
    }

    private void applyCommitted(Node n, LogEntry e, boolean leader) {
        if (e.index() != n.applied + 1) {
            throw new AssertionError(n.id + ": applies index " + e.index() + " after " + n.applied);
        }
        LogEntry first = committed.putIfAbsent(e.index(), e);
        if (first != null && !first.equals(e)) {
            throw new AssertionError("state machine safety: " + n.id + " applies " + e + " at " + e.index()
                    + " where " + first + " was applied before");
        }
        if (leader) {
            commitTerm.merge(e.index(), n.core.term(), Math::min);
        }
        maxCommitted = Math.max(maxCommitted, e.index());
        if (e.payload() instanceof EntryPayload.ConfigChange cc && e.index() > committedConfigIndex) {
            committedConfigIndex = e.index();
            committedMembership = cc.membership();
        }
        if (e.payload() instanceof EntryPayload.Command c) {
            n.sm.apply(e.index(), c.data());
        } else {
            n.sm.skip(e.index());
        }
        n.applied = e.index();
        checkDigest(n, e.index());
    }

    // ------------------------------------------------------------------ safety checks

    private void checkDigest(Node n, long index) {
        Long expected = digestAt.putIfAbsent(index, n.sm.digest());
        if (expected != null && expected != n.sm.digest()) {
            throw new AssertionError("state machine safety: " + n.id + " has state " + n.sm.digest() + " at index "
                    + index + ", another replica had " + expected);
        }
    }

    private void checkElectionSafety() {
        for (Node n : nodes.values()) {
            if (n.core != null && n.core.role() == RaftRole.LEADER) {
                String other = leaderOfTerm.putIfAbsent(n.core.term(), n.id);
                if (other != null && !other.equals(n.id)) {
                    throw new AssertionError("election safety: " + other + " and " + n.id + " both lead term "
                            + n.core.term());
                }
            }
        }
    }

    /**
     * Log matching, incrementally: every (index, term) ever written anywhere must always carry the same payload and
     * follow the same term at index - 1; by induction, logs agreeing on (index, term) agree on the whole prefix.
     */
    private void checkNewEntries(Node n, List<LogEntry> entries) {
        for (LogEntry e : entries) {
            if (e.term() > n.core.term()) {
                throw new AssertionError(n.id + " holds entry " + e + " from a term after its own " + n.core.term());
            }
            long prevTerm = n.core.termAt(e.index() - 1);
            Seen seen = new Seen(e.payload(), prevTerm);
            Seen before = seenEntries.computeIfAbsent(e.index(), k -> new HashMap<>()).putIfAbsent(e.term(), seen);
            if (before != null && !before.equals(seen)) {
                throw new AssertionError("log matching: " + n.id + " has " + e + " after term " + prevTerm
                        + ", elsewhere (index " + e.index() + ", term " + e.term() + ") is " + before);
            }
        }
    }

    /** A new leader must hold every entry committed in an earlier term. */
    private void checkLeaderCompleteness(Node n) {
        long t = n.core.term();
        for (Map.Entry<Long, Long> c : commitTerm.entrySet()) {
            long index = c.getKey();
            if (c.getValue() < t && index > n.core.snapshotIndex()) {
                Optional<LogEntry> mine = n.core.entry(index);
                if (mine.isEmpty() || !mine.get().equals(committed.get(index))) {
                    throw new AssertionError("leader completeness: " + n.id + " leads term " + t + " without entry "
                            + committed.get(index) + " committed in term " + c.getValue() + "; has " + mine);
                }
            }
        }
    }

    /** A confirmed read index must cover every entry committed before the read was issued. */
    private void checkRead(Node n, RequestOutcome.ReadReady rr) {
        PendingRead p = pendingReads.remove(rr.requestId());
        if (p == null) {
            return;
        }
        readsConfirmed++;
        if (rr.readIndex() < p.maxCommittedAtIssue()) {
            throw new AssertionError("linearizability: read " + rr.requestId() + " at " + n.id + " got read index "
                    + rr.readIndex() + " but index " + p.maxCommittedAtIssue() + " was committed before it was issued");
        }
    }

    /** The whole log-matching property over every pair of live nodes, and committed prefixes against what was applied. */
    void checkLogsFully() {
        List<Node> live = new ArrayList<>();
        for (Node n : nodes.values()) {
            if (n.core != null) {
                live.add(n);
            }
        }
        for (Node n : live) {
            if (n.core.commitIndex() > n.core.lastIndex() || n.applied > n.core.commitIndex()) {
                throw new AssertionError(n.id + ": applied " + n.applied + ", commit " + n.core.commitIndex()
                        + ", last index " + n.core.lastIndex() + " are out of order");
            }
            for (long i = n.core.snapshotIndex() + 1; i <= n.core.commitIndex(); i++) {
                LogEntry c = committed.get(i);
                if (c != null && !c.equals(n.core.entry(i).orElseThrow())) {
                    throw new AssertionError(n.id + " has committed " + n.core.entry(i) + " at " + i + ", applied was " + c);
                }
            }
        }
        for (int a = 0; a < live.size(); a++) {
            for (int b = a + 1; b < live.size(); b++) {
                RaftCore x = live.get(a).core;
                RaftCore y = live.get(b).core;
                long lo = Math.max(x.snapshotIndex(), y.snapshotIndex()) + 1;
                long hi = Math.min(x.lastIndex(), y.lastIndex());
                long top = hi;
                while (top >= lo && x.termAt(top) != y.termAt(top)) {
                    top--;
                }
                for (long i = lo; i <= top; i++) {
                    if (!x.entry(i).equals(y.entry(i))) {
                        throw new AssertionError("log matching: " + x.id() + " and " + y.id() + " agree on term at "
                                + top + " but differ at " + i + ": " + x.entry(i) + " vs " + y.entry(i));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ liveness helpers

    /** Requests made at a node that has not crashed since and that got no answer (of any kind). */
    List<String> hangingRequests() {
        List<String> hanging = new ArrayList<>();
        for (Map.Entry<Long, Issued> e : unanswered.entrySet()) {
            Issued i = e.getValue();
            if (nodes.get(i.node()).alive() && net.incarnationOf(i.node()) == i.incarnation()) {
                hanging.add(e.getKey() + "@" + i.node() + ":" + i.input().getClass().getSimpleName());
            }
        }
        return hanging;
    }

    boolean runUntil(BooleanSupplier condition, long timeoutMillis) {
        return sim.runUntil(condition, sim.now() + timeoutMillis);
    }

    /** The leader every live node of {@code group} follows, if they all agree and it is among them. */
    Optional<String> agreedLeader(Collection<String> group) {
        String leader = null;
        for (String id : group) {
            Node n = nodes.get(id);
            if (n.core == null) {
                return Optional.empty();
            }
            String l = n.core.leader();
            if (l.isEmpty() || (leader != null && !leader.equals(l))) {
                return Optional.empty();
            }
            leader = l;
        }
        if (leader == null || !group.contains(leader) || nodes.get(leader).core.role() != RaftRole.LEADER) {
            return Optional.empty();
        }
        return Optional.of(leader);
    }

    /**
     * Liveness: within {@code timeoutMillis} the group agrees on a leader and a fresh proposal made to it is applied by
     * the leader. Returns the committed index, or -1 on failure.
     */
    long electAndCommit(Collection<String> group, String command, long timeoutMillis) {
        long deadline = sim.now() + timeoutMillis;
        while (sim.now() < deadline) {
            if (!sim.runUntil(() -> agreedLeader(group).isPresent(), deadline)) {
                return -1;
            }
            String leader = agreedLeader(group).orElseThrow();
            Optional<RequestOutcome> o = proposeAndAwait(leader, command, deadline);
            if (o.isEmpty() || !(o.get() instanceof RequestOutcome.Accepted a)) {
                sim.runFor(TICK_MILLIS);
                continue;
            }
            Node l = nodes.get(leader);
            boolean done = sim.runUntil(() -> l.core == null || l.core.role() != RaftRole.LEADER
                    || l.applied >= a.index(), deadline);
            if (done && l.core != null && l.applied >= a.index()) {
                LogEntry c = committed.get(a.index());
                if (c != null && c.term() == a.term()) {
                    return a.index();
                }
            }
        }
        return -1;
    }

    /**
     * Proposes at {@code id} and waits (until {@code deadline}) for the proposal's outcome, which comes later when the
     * node is writing its journal ({@link #shellPersistence}); empty if none came or the node crashed.
     */
    Optional<RequestOutcome> proposeAndAwait(String id, String command, long deadline) {
        long rid = nextRequestId();
        int incarnation = net.incarnationOf(id);
        Optional<RequestOutcome> now = request(id, new LocalInput.Propose(rid, command.getBytes(StandardCharsets.UTF_8)));
        if (now.isPresent()) {
            return now;
        }
        sim.runUntil(() -> net.incarnationOf(id) != incarnation || outcome(id, rid).isPresent(), deadline);
        return net.incarnationOf(id) == incarnation ? outcome(id, rid) : Optional.empty();
    }

    /** Waits for a leader everybody in {@code group} agrees on; fails the test if none comes. */
    String awaitLeader(Collection<String> group) {
        if (!runUntil(() -> agreedLeader(group).isPresent(), 10_000)) {
            throw new AssertionError("no leader agreed by " + group + "\n" + describe());
        }
        return agreedLeader(group).orElseThrow();
    }

    /** Proposes {@code command} at {@code leader} and waits until every node of {@code group} applied it. */
    long commitOn(String leader, Collection<String> group, String command) {
        RequestOutcome o = proposeAndAwait(leader, command, sim.now() + 10_000).orElseThrow();
        if (!(o instanceof RequestOutcome.Accepted a)) {
            throw new AssertionError("proposal at " + leader + " refused: " + o);
        }
        if (!runUntil(() -> group.stream().allMatch(id -> nodes.get(id).alive() && nodes.get(id).applied >= a.index()),
                10_000)) {
            throw new AssertionError("entry " + a.index() + " not applied by " + group + "\n" + describe());
        }
        if (committed.get(a.index()).term() != a.term()) {
            throw new AssertionError("proposal at " + a.index() + " was replaced by " + committed.get(a.index()));
        }
        return a.index();
    }

    /** The latest configuration any node applied. */
    Membership committedMembership() {
        return committedMembership;
    }

    long maxCommitted() {
        return maxCommitted;
    }

    LogEntry committedEntry(long index) {
        return committed.get(index);
    }

    String describe() {
        StringBuilder b = new StringBuilder("t=" + sim.now() + " steps=" + sim.steps());
        for (Node n : nodes.values()) {
            b.append("\n  ").append(n);
        }
        return b.toString();
    }
}

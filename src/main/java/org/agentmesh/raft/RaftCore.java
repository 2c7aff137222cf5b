package org.agentmesh.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.agentmesh.raft.RaftMessage.AppendEntries;
import org.agentmesh.raft.RaftMessage.AppendEntriesResponse;
import org.agentmesh.raft.RaftMessage.Heartbeat;
import org.agentmesh.raft.RaftMessage.HeartbeatResponse;
import org.agentmesh.raft.RaftMessage.InstallSnapshot;
import org.agentmesh.raft.RaftMessage.PreVoteRequest;
import org.agentmesh.raft.RaftMessage.PreVoteResponse;
import org.agentmesh.raft.RaftMessage.ReadIndexRequest;
import org.agentmesh.raft.RaftMessage.ReadIndexResponse;
import org.agentmesh.raft.RaftMessage.TimeoutNow;
import org.agentmesh.raft.RaftMessage.VoteRequest;
import org.agentmesh.raft.RaftMessage.VoteResponse;

/**
 * The whole Raft protocol of one node as a pure, deterministic state machine, in the style of etcd-raft.
 *
 * <p>The driver feeds it peer messages and local requests through {@link #step(RaftInput, long)} and the passage of
 * time through {@link #tick(long)}, then takes a {@link Ready} batch with {@link #ready()} and carries it out as
 * {@link Ready} documents (persist, then send, then apply). The core has no threads, clock, I/O or randomness of its own:
 * time comes in as arguments, randomness (for election timeouts only) from the {@link RandomGenerator} it is given.
 *
 * <p>Features: elections with randomized timeouts and pre-vote; leader lease and check quorum; pipelined, batched
 * replication with conflict hints; the Figure-8 commit rule (only entries of the current term commit by counting);
 * leadership transfer (TimeoutNow); single-server membership changes effective on append; learners and their
 * promotion; snapshots, log compaction and InstallSnapshot; linearizable reads by ReadIndex, also from followers.
 */
public final class RaftCore {

    private static final String NONE = "";

    private record PendingRead(String origin, long requestId, long readIndex, long seq) {}

    private final String id;
    private final RaftConfig config;
    private final RandomGenerator random;
    private long now;

    // persistent state (mirrored by the driver's storage through Ready)
    private long term;
    private String votedFor;
    private final RaftLog log;
    private long commit;
    private Snapshot snapshot;

    // volatile state
    private RaftRole role = RaftRole.FOLLOWER;
    private String leader = NONE;
    private long applyCursor;
    private long electionDeadline;
    private long lastLeaderContact;
    private final Set<String> votesGranted = new HashSet<>();
    private final Set<String> votesRejected = new HashSet<>();

    // leader state
    private final Map<String, Progress> progress = new HashMap<>();
    private long nextHeartbeatAt;
    private long lastQuorumCheckAt;
    private long heartbeatSeq;
    private boolean readRoundWanted;
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    private final List<PendingRead> readsAwaitingTermCommit = new ArrayList<>();
    private String transferTarget = NONE;
    private long transferStartedAt;
    private long transferRequestId;
    private boolean transferAnswered;
    private long pendingConfIndex;

    // follower state: reads forwarded to the leader
    /** Request id to the time it was forwarded; answered, failed on a leader change, or timed out. */
    private final Map<Long, Long> forwardedReads = new LinkedHashMap<>();

    // output buffers
    private final List<RaftMessage> outbox = new ArrayList<>();
    private final List<RequestOutcome> outcomes = new ArrayList<>();
    private Snapshot snapshotToPersist;
    private boolean restoreSnapshot;
    private HardState persistedHardState;
    private LeaderState reportedLeaderState;

    // statistics
    private long electionsStarted;
    private long termsLed;

    /**
     * Builds the core of node {@code id} from what its storage holds ({@link DurableState#fresh} for a new node). The
     * driver restores its state machine from {@code durable.snapshot()} first; the core then hands out the committed
     * entries after the snapshot for applying again.
     */
    public RaftCore(String id, RaftConfig config, DurableState durable, RandomGenerator random, long now) {
        if (id.isEmpty()) {
            throw new IllegalArgumentException("node id must not be empty");
        }
        this.id = id;
        this.config = config;
        this.random = random;
        this.now = now;
        this.snapshot = durable.snapshot();
        this.log = new RaftLog(durable.snapshot().meta(), durable.entries());
        HardState hs = durable.hardState();
        this.term = hs.term();
        this.votedFor = hs.votedFor();
        this.commit = Math.max(snapshot.index(), Math.min(hs.commit(), log.lastIndex()));
        this.applyCursor = snapshot.index();
        this.persistedHardState = hs;
        this.reportedLeaderState = new LeaderState(term, NONE, RaftRole.FOLLOWER);
        this.lastLeaderContact = Long.MIN_VALUE / 4;
        resetElectionTimer();
    }

    // ------------------------------------------------------------------ queries

    public String id() {
        return id;
    }

    public RaftRole role() {
        return role;
    }

    public long term() {
        return term;
    }

    /** The leader this node knows of in its current term, {@code ""} if none. */
    public String leader() {
        return leader;
    }

    public String votedFor() {
        return votedFor;
    }

    public long commitIndex() {
        return commit;
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long lastTerm() {
        return log.lastTerm();
    }

    /** Index of the latest snapshot; entries up to it are no longer in the log. */
    public long snapshotIndex() {
        return log.snapshotIndex();
    }

    /** The entry at {@code index} if it is in the log (after the snapshot, not beyond the end). */
    public Optional<LogEntry> entry(long index) {
        if (index <= log.snapshotIndex() || index > log.lastIndex()) {
            return Optional.empty();
        }
        return Optional.of(log.entry(index));
    }

    /** The term of the entry at {@code index}, -1 if unknown (compacted or beyond the end). */
    public long termAt(long index) {
        return log.term(index);
    }

    /** The configuration in force (the latest in the log, committed or not). */
    public Membership membership() {
        return log.membership();
    }

    /** Elections (real ones, not pre-votes) this node started since it was built. */
    public long electionsStarted() {
        return electionsStarted;
    }

    /** Terms this node led since it was built. */
    public long termsLed() {
        return termsLed;
    }

    /** The leader's view of a peer's matched index (0 when not leader or unknown). */
    public long matchIndexOf(String peer) {
        Progress pr = progress.get(peer);
        return role == RaftRole.LEADER && pr != null ? pr.match : 0;
    }

    // ------------------------------------------------------------------ inputs

    /** Advances time: heartbeats, election timeouts, check quorum, transfer timeouts. Call it often (every ~10 ms). */
    public void tick(long now) {
        advanceClock(now);
        if (role == RaftRole.LEADER) {
            if (this.now >= nextHeartbeatAt) {
                broadcastHeartbeat();
            }
            if (config.checkQuorum() && this.now - lastQuorumCheckAt >= config.electionTimeoutMinMillis()) {
                lastQuorumCheckAt = this.now;
                if (!quorumActive()) {
                    becomeFollower(term, NONE);
                    return;
                }
            }
            if (!transferTarget.isEmpty() && this.now - transferStartedAt >= config.electionTimeoutMinMillis()) {
                abortTransfer("leadership transfer to " + transferTarget + " timed out");
            }
        }
        expireForwardedReads();
        if (role != RaftRole.LEADER && this.now >= electionDeadline) {
            if (promotable()) {
                campaign(config.preVote(), false);
            } else {
                resetElectionTimer();
            }
        }
    }

    /** Feeds one input: a message from a peer or a request of the local driver. */
    public void step(RaftInput input, long now) {
        advanceClock(now);
        if (input instanceof RaftMessage m) {
            stepMessage(m);
        } else if (input instanceof LocalInput.Propose p) {
            propose(p);
        } else if (input instanceof LocalInput.ChangeMembership c) {
            changeMembership(c);
        } else if (input instanceof LocalInput.TransferLeadership t) {
            transferLeadership(t);
        } else if (input instanceof LocalInput.ReadIndex r) {
            readIndex(r);
        } else if (input instanceof LocalInput.SnapshotTaken s) {
            snapshotTaken(s);
        }
    }

    /** Takes the work accumulated since the last call; see {@link Ready} for what the driver must do with it. */
    public Ready ready() {
        if (role == RaftRole.LEADER) {
            flushLeader();
        }
        HardState hs = new HardState(term, votedFor, commit);
        Optional<HardState> hardState = Optional.empty();
        if (!hs.equals(persistedHardState)) {
            persistedHardState = hs;
            hardState = Optional.of(hs);
        }
        Optional<Snapshot> snap = Optional.ofNullable(snapshotToPersist);
        boolean restore = restoreSnapshot;
        snapshotToPersist = null;
        restoreSnapshot = false;
        List<LogEntry> entries = log.takeUnstable();
        List<LogEntry> committed = List.of();
        if (commit > applyCursor) {
            committed = log.slice(applyCursor + 1, commit, Integer.MAX_VALUE, Long.MAX_VALUE);
            applyCursor = commit;
        }
        List<RaftMessage> messages = outbox.isEmpty() ? List.of() : new ArrayList<>(outbox);
        outbox.clear();
        List<RequestOutcome> answers = outcomes.isEmpty() ? List.of() : new ArrayList<>(outcomes);
        outcomes.clear();
        LeaderState ls = new LeaderState(term, leader, role);
        Optional<LeaderState> leaderState = Optional.empty();
        if (!ls.equals(reportedLeaderState)) {
            reportedLeaderState = ls;
            leaderState = Optional.of(ls);
        }
        return new Ready(hardState, snap, restore, entries, messages, committed, answers, leaderState);
    }

    private void advanceClock(long now) {
        this.now = Math.max(this.now, now);
    }

    // ------------------------------------------------------------------ local requests

    private void propose(LocalInput.Propose p) {
        if (role != RaftRole.LEADER) {
            outcomes.add(new RequestOutcome.Rejected(p.requestId(), "not the leader", leader));
            return;
        }
        if (!transferTarget.isEmpty()) {
            outcomes.add(new RequestOutcome.Rejected(p.requestId(), "leadership transfer in progress", leader));
            return;
        }
        LogEntry e = appendOwn(new EntryPayload.Command(p.command()));
        outcomes.add(new RequestOutcome.Accepted(p.requestId(), e.index(), e.term()));
    }

    private void changeMembership(LocalInput.ChangeMembership c) {
        if (role != RaftRole.LEADER) {
            outcomes.add(new RequestOutcome.Rejected(c.requestId(), "not the leader", leader));
            return;
        }
        if (!transferTarget.isEmpty()) {
            outcomes.add(new RequestOutcome.Rejected(c.requestId(), "leadership transfer in progress", leader));
            return;
        }
        if (pendingConfIndex > commit) {
            outcomes.add(new RequestOutcome.Rejected(c.requestId(),
                    "another configuration change (index " + pendingConfIndex + ") is not committed yet", leader));
            return;
        }
        Membership next;
        try {
            next = log.membership().with(c.change());
        } catch (IllegalArgumentException e) {
            outcomes.add(new RequestOutcome.Rejected(c.requestId(), e.getMessage(), leader));
            return;
        }
        boolean learnerToVoter = log.membership().hasLearner(c.change().node())
                && next.hasVoter(c.change().node());
        if (learnerToVoter) {
            Progress pr = progress.get(c.change().node());
            if (pr == null || pr.match < commit) {
                outcomes.add(new RequestOutcome.Rejected(c.requestId(),
                        "learner " + c.change().node() + " has not caught up (match "
                                + (pr == null ? 0 : pr.match) + " < commit " + commit + ")", leader));
                return;
            }
        }
        LogEntry e = appendOwn(new EntryPayload.ConfigChange(next));
        pendingConfIndex = e.index();
        syncProgressWithMembership();
        maybeCommit();
        outcomes.add(new RequestOutcome.Accepted(c.requestId(), e.index(), e.term()));
    }

    private void transferLeadership(LocalInput.TransferLeadership t) {
        if (role != RaftRole.LEADER) {
            outcomes.add(new RequestOutcome.Rejected(t.requestId(), "not the leader", leader));
            return;
        }
        if (t.target().equals(id)) {
            outcomes.add(new RequestOutcome.Rejected(t.requestId(), "already the leader", leader));
            return;
        }
        if (!log.membership().hasVoter(t.target())) {
            outcomes.add(new RequestOutcome.Rejected(t.requestId(), t.target() + " is not a voter", leader));
            return;
        }
        if (!transferTarget.isEmpty()) {
            outcomes.add(new RequestOutcome.Rejected(t.requestId(),
                    "leadership transfer to " + transferTarget + " already in progress", leader));
            return;
        }
        transferTarget = t.target();
        transferStartedAt = now;
        transferRequestId = t.requestId();
        transferAnswered = false;
        maybeSendTimeoutNow();
    }

    private void readIndex(LocalInput.ReadIndex r) {
        if (role == RaftRole.LEADER) {
            registerRead(NONE, r.requestId());
        } else if (!leader.isEmpty()) {
            forwardedReads.put(r.requestId(), now);
            outbox.add(new ReadIndexRequest(id, leader, term, r.requestId()));
        } else {
            outcomes.add(new RequestOutcome.Rejected(r.requestId(), "no known leader", NONE));
        }
    }

    private void snapshotTaken(LocalInput.SnapshotTaken s) {
        if (s.index() <= log.snapshotIndex()) {
            return;
        }
        if (s.index() > applyCursor) {
            throw new IllegalArgumentException(
                    "snapshot at " + s.index() + " beyond the entries handed out for applying (" + applyCursor + ")");
        }
        SnapshotMeta meta = new SnapshotMeta(s.index(), log.term(s.index()), log.membershipAt(s.index()));
        log.compact(s.index());
        snapshot = new Snapshot(meta, s.data());
        snapshotToPersist = snapshot;
        restoreSnapshot = false;
    }

    // ------------------------------------------------------------------ messages

    private void stepMessage(RaftMessage m) {
        if (!m.to().equals(id)) {
            return;
        }
        if (m.term() > term) {
            if (m instanceof PreVoteRequest || (m instanceof PreVoteResponse r && r.granted())) {
                // pre-vote traffic never changes terms
            } else if (m instanceof VoteRequest v && !v.leadershipTransfer() && inLease()) {
                return; // a leader is alive: ignore the would-be disruptor, keep our term
            } else {
                boolean fromLeader = m instanceof AppendEntries || m instanceof Heartbeat
                        || m instanceof InstallSnapshot || m instanceof TimeoutNow;
                becomeFollower(m.term(), fromLeader ? m.from() : NONE);
            }
        } else if (m.term() < term) {
            if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot) {
                // tell the stale leader about the newer term so that it steps down
                outbox.add(new HeartbeatResponse(id, m.from(), term, 0));
            } else if (m instanceof PreVoteRequest) {
                outbox.add(new PreVoteResponse(id, m.from(), term, false));
            } else if (m instanceof ReadIndexRequest r) {
                outbox.add(new ReadIndexResponse(id, m.from(), term, r.requestId(), 0, false));
            }
            return;
        }
        if (m instanceof PreVoteRequest r) {
            onPreVoteRequest(r);
        } else if (m instanceof VoteRequest r) {
            onVoteRequest(r);
        } else if (m instanceof PreVoteResponse r) {
            if (role == RaftRole.PRE_CANDIDATE && r.term() == term + 1) {
                countVote(r.from(), r.granted());
            }
        } else if (m instanceof VoteResponse r) {
            if (role == RaftRole.CANDIDATE) {
                countVote(r.from(), r.granted());
            }
        } else if (m instanceof AppendEntries a) {
            followLeader(a.from());
            onAppendEntries(a);
        } else if (m instanceof Heartbeat h) {
            followLeader(h.from());
            if (h.commit() > commit) {
                commit = Math.max(commit, Math.min(h.commit(), log.lastIndex()));
            }
            outbox.add(new HeartbeatResponse(id, h.from(), term, h.seq()));
        } else if (m instanceof InstallSnapshot s) {
            followLeader(s.from());
            onInstallSnapshot(s);
        } else if (m instanceof AppendEntriesResponse r) {
            if (role == RaftRole.LEADER) {
                onAppendEntriesResponse(r);
            }
        } else if (m instanceof HeartbeatResponse r) {
            if (role == RaftRole.LEADER) {
                onHeartbeatResponse(r);
            }
        } else if (m instanceof TimeoutNow) {
            if (promotable()) {
                campaign(false, true);
            }
        } else if (m instanceof ReadIndexRequest r) {
            if (role == RaftRole.LEADER) {
                registerRead(r.from(), r.requestId());
            } else {
                outbox.add(new ReadIndexResponse(id, r.from(), term, r.requestId(), 0, false));
            }
        } else if (m instanceof ReadIndexResponse r) {
            if (forwardedReads.remove(r.requestId()) != null) {
                outcomes.add(r.success()
                        ? new RequestOutcome.ReadReady(r.requestId(), r.readIndex())
                        : new RequestOutcome.Rejected(r.requestId(), "leader could not confirm the read", leader));
            }
        }
    }

    /** Within an election timeout of hearing from a live leader (or being one): no vote for anybody else. */
    private boolean inLease() {
        if (!config.checkQuorum()) {
            return false;
        }
        if (role == RaftRole.LEADER) {
            return true;
        }
        return !leader.isEmpty() && now - lastLeaderContact < config.electionTimeoutMinMillis();
    }

    private void onPreVoteRequest(PreVoteRequest r) {
        boolean grant = r.term() > term && !inLease() && log.isUpToDate(r.lastLogIndex(), r.lastLogTerm());
        outbox.add(new PreVoteResponse(id, r.from(), grant ? r.term() : term, grant));
    }

    private void onVoteRequest(VoteRequest r) {
        boolean canVote = votedFor.equals(r.from()) || (votedFor.isEmpty() && leader.isEmpty());
        boolean grant = canVote && log.isUpToDate(r.lastLogIndex(), r.lastLogTerm());
        if (grant) {
            votedFor = r.from();
            resetElectionTimer();
        }
        outbox.add(new VoteResponse(id, r.from(), term, grant));
    }

    private void followLeader(String from) {
        if (role == RaftRole.LEADER) {
            throw new IllegalStateException(id + " is leader of term " + term + " and got a leader message from " + from);
        }
        if (role != RaftRole.FOLLOWER || !leader.equals(from)) {
            becomeFollower(term, from);
        }
        lastLeaderContact = now;
        resetElectionTimer();
    }

    private void onAppendEntries(AppendEntries a) {
        long prev = a.prevLogIndex();
        long prevTerm = a.prevLogTerm();
        List<LogEntry> entries = a.entries();
        if (prev < commit) {
            // everything up to our commit index matches the leader: skip that part
            long lastInMessage = prev + entries.size();
            if (lastInMessage <= commit) {
                outbox.add(new AppendEntriesResponse(id, a.from(), term, true, commit, 0, 0));
                return;
            }
            int skip = (int) (commit - prev);
            prevTerm = entries.get(skip - 1).term();
            entries = entries.subList(skip, entries.size());
            prev = commit;
        }
        if (!log.matchTerm(prev, prevTerm)) {
            long hintIndex = log.findConflictByTerm(Math.min(prev, log.lastIndex()), prevTerm);
            outbox.add(new AppendEntriesResponse(id, a.from(), term, false, a.prevLogIndex(), hintIndex,
                    Math.max(0, log.term(hintIndex))));
            return;
        }
        long lastNew = prev + entries.size();
        for (int i = 0; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.index() <= log.lastIndex() && log.term(e.index()) == e.term()) {
                continue;
            }
            if (e.index() <= commit) {
                throw new IllegalStateException(id + ": conflict at committed index " + e.index());
            }
            log.truncateFrom(e.index());
            for (int j = i; j < entries.size(); j++) {
                log.append(entries.get(j));
            }
            break;
        }
        long newCommit = Math.min(a.leaderCommit(), lastNew);
        if (newCommit > commit) {
            commit = newCommit;
        }
        outbox.add(new AppendEntriesResponse(id, a.from(), term, true, lastNew, 0, 0));
    }

    private void onInstallSnapshot(InstallSnapshot s) {
        SnapshotMeta meta = s.snapshot().meta();
        if (meta.index() <= commit) {
            outbox.add(new AppendEntriesResponse(id, s.from(), term, true, commit, 0, 0));
            return;
        }
        if (log.matchTerm(meta.index(), meta.term())) {
            commit = meta.index();
        } else {
            log.restore(meta);
            snapshot = s.snapshot();
            snapshotToPersist = snapshot;
            restoreSnapshot = true;
            commit = meta.index();
            applyCursor = meta.index();
        }
        outbox.add(new AppendEntriesResponse(id, s.from(), term, true, meta.index(), 0, 0));
    }

    // ------------------------------------------------------------------ elections

    /**
     * Whether this node may campaign: it is a voter of its latest configuration, or that configuration removed it but
     * is not known committed yet — the removed node may still be needed to elect the leader that commits its removal
     * (Raft thesis §4.2.2). It then counts votes of the latest configuration only, itself excluded.
     */
    private boolean promotable() {
        if (log.membership().hasVoter(id)) {
            return true;
        }
        long lastConfig = log.lastConfigIndex();
        return lastConfig > commit && log.membershipAt(lastConfig - 1).hasVoter(id);
    }

    private void resetElectionTimer() {
        electionDeadline = now + random.nextLong(config.electionTimeoutMinMillis(), config.electionTimeoutMaxMillis());
    }

    private void campaign(boolean preVote, boolean transfer) {
        votesGranted.clear();
        votesRejected.clear();
        failForwardedReads();
        leader = NONE;
        long voteTerm;
        if (preVote) {
            role = RaftRole.PRE_CANDIDATE;
            voteTerm = term + 1;
        } else {
            role = RaftRole.CANDIDATE;
            term++;
            votedFor = id;
            voteTerm = term;
            electionsStarted++;
        }
        resetElectionTimer();
        for (String peer : log.membership().voters()) {
            if (peer.equals(id)) {
                continue;
            }
            outbox.add(preVote
                    ? new PreVoteRequest(id, peer, voteTerm, log.lastIndex(), log.lastTerm())
                    : new VoteRequest(id, peer, voteTerm, log.lastIndex(), log.lastTerm(), transfer));
        }
        countVote(id, true);
    }

    private void countVote(String from, boolean granted) {
        Membership m = log.membership();
        if (!m.hasVoter(from)) {
            return;
        }
        (granted ? votesGranted : votesRejected).add(from);
        if (votesGranted.size() >= m.quorum()) {
            if (role == RaftRole.PRE_CANDIDATE) {
                campaign(false, false);
            } else {
                becomeLeader();
            }
        } else if (votesRejected.size() >= m.quorum()) {
            becomeFollower(term, NONE);
        }
    }

    private void becomeFollower(long newTerm, String newLeader) {
        boolean wasLeader = role == RaftRole.LEADER;
        if (wasLeader) {
            stepDownAsLeader();
        }
        if (newTerm != term) {
            term = newTerm;
            votedFor = NONE;
        }
        if (!leader.equals(newLeader)) {
            failForwardedReads();
        }
        role = RaftRole.FOLLOWER;
        leader = newLeader;
        // Raft §5.2: only a leader's message or a granted vote postpones an election; a mere higher term (a stale
        // node campaigning without pre-vote, say) must not keep the up-to-date nodes from ever timing out
        if (wasLeader || !newLeader.isEmpty()) {
            resetElectionTimer();
        }
    }

    private void becomeLeader() {
        role = RaftRole.LEADER;
        leader = id;
        termsLed++;
        progress.clear();
        heartbeatSeq = 0;
        lastQuorumCheckAt = now;
        nextHeartbeatAt = now + config.heartbeatIntervalMillis();
        syncProgressWithMembership();
        appendOwn(new EntryPayload.NoOp());
        // no configuration change before an entry of this term is committed (the single-server change fix)
        pendingConfIndex = log.lastIndex();
    }

    private void stepDownAsLeader() {
        for (PendingRead r : pendingReads) {
            failRead(r);
        }
        for (PendingRead r : readsAwaitingTermCommit) {
            failRead(r);
        }
        pendingReads.clear();
        readsAwaitingTermCommit.clear();
        if (!transferTarget.isEmpty() && !transferAnswered) {
            outcomes.add(new RequestOutcome.Rejected(transferRequestId, "leadership lost during transfer", NONE));
        }
        transferTarget = NONE;
        progress.clear();
    }

    /** A forwarded read whose request or answer was lost fails after an election timeout; the client may retry. */
    private void expireForwardedReads() {
        var it = forwardedReads.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (now - e.getValue() < config.electionTimeoutMaxMillis()) {
                return; // in order of forwarding
            }
            outcomes.add(new RequestOutcome.Rejected(e.getKey(), "the leader did not answer the read in time", leader));
            it.remove();
        }
    }

    private void failForwardedReads() {
        for (long requestId : forwardedReads.keySet()) {
            outcomes.add(new RequestOutcome.Rejected(requestId, "leader changed", NONE));
        }
        forwardedReads.clear();
    }

    // ------------------------------------------------------------------ leader: replication

    private LogEntry appendOwn(EntryPayload payload) {
        LogEntry e = new LogEntry(log.lastIndex() + 1, term, payload);
        log.append(e);
        maybeCommit();
        return e;
    }

    private void syncProgressWithMembership() {
        Membership m = log.membership();
        progress.keySet().removeIf(peer -> !m.hasMember(peer));
        for (String peer : m.members()) {
            if (!peer.equals(id) && !progress.containsKey(peer)) {
                Progress pr = new Progress(log.lastIndex() + 1);
                pr.recentActive = true;
                progress.put(peer, pr);
            }
        }
    }

    /** Sends what each follower needs: new entries, a snapshot, a commit notice; starts a pending read round. */
    private void flushLeader() {
        syncProgressWithMembership();
        for (String peer : log.membership().members()) {
            if (peer.equals(id)) {
                continue;
            }
            Progress pr = progress.get(peer);
            sendAppends(peer, pr);
            long canCommit = Math.min(pr.match, commit);
            // a follower with appends in flight learns the commit index from their successors
            boolean idle = pr.state != Progress.State.REPLICATE || pr.inflight.isEmpty();
            if (canCommit > pr.sentCommit && idle && !readRoundWanted) {
                pr.sentCommit = canCommit;
                outbox.add(new Heartbeat(id, peer, term, canCommit, heartbeatSeq));
            }
        }
        if (readRoundWanted) {
            broadcastHeartbeat();
        }
    }

    private void sendAppends(String peer, Progress pr) {
        while (true) {
            if (pr.state == Progress.State.SNAPSHOT) {
                if (now - pr.snapshotSentAt >= config.electionTimeoutMinMillis()) {
                    sendSnapshot(peer, pr);
                }
                return;
            }
            if (pr.state == Progress.State.PROBE && pr.paused) {
                return;
            }
            if (pr.state == Progress.State.REPLICATE
                    && (pr.inflight.size() >= config.maxInflightAppends() || pr.next > log.lastIndex())) {
                return;
            }
            long prev = pr.next - 1;
            long prevTerm = log.term(prev);
            if (prevTerm < 0) {
                sendSnapshot(peer, pr);
                return;
            }
            List<LogEntry> entries = log.slice(pr.next, log.lastIndex(), config.maxEntriesPerAppend(),
                    config.maxBytesPerAppend());
            outbox.add(new AppendEntries(id, peer, term, prev, prevTerm, entries, commit));
            long last = prev + entries.size();
            pr.sentCommit = Math.max(pr.sentCommit, Math.min(commit, Math.min(last, pr.match)));
            if (pr.state == Progress.State.PROBE) {
                pr.paused = true;
                return;
            }
            if (pr.inflight.isEmpty()) {
                pr.lastProgressAt = now;
            }
            pr.inflight.addLast(last);
            pr.next = last + 1;
        }
    }

    private void sendSnapshot(String peer, Progress pr) {
        pr.becomeSnapshot(snapshot.index(), now);
        outbox.add(new InstallSnapshot(id, peer, term, snapshot));
    }

    private void onAppendEntriesResponse(AppendEntriesResponse r) {
        Progress pr = progress.get(r.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        if (r.success()) {
            boolean advanced = false;
            if (r.index() > pr.match) {
                pr.match = r.index();
                pr.lastProgressAt = now;
                advanced = true;
            }
            switch (pr.state) {
                case PROBE -> pr.becomeReplicate(now);
                case SNAPSHOT -> {
                    if (pr.match >= pr.pendingSnapshot) {
                        pr.becomeReplicate(now);
                    }
                }
                case REPLICATE -> {
                    pr.next = Math.max(pr.next, pr.match + 1);
                    pr.freeInflightUpTo(r.index());
                }
            }
            if (advanced) {
                maybeCommit();
                maybeSendTimeoutNow();
            }
        } else {
            switch (pr.state) {
                case REPLICATE -> {
                    if (r.index() <= pr.match) {
                        return; // stale
                    }
                }
                case PROBE -> {
                    if (r.index() != pr.next - 1) {
                        return; // stale
                    }
                }
                case SNAPSHOT -> {
                    return;
                }
            }
            long next = Math.min(r.index(), log.findConflictByTerm(r.hintIndex(), r.hintTerm()) + 1);
            pr.becomeProbe(next);
        }
    }

    private void onHeartbeatResponse(HeartbeatResponse r) {
        Progress pr = progress.get(r.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        if (r.seq() > pr.ackedSeq) {
            pr.ackedSeq = r.seq();
        }
        if (pr.state == Progress.State.PROBE) {
            pr.paused = false;
        } else if (pr.state == Progress.State.REPLICATE && pr.match < log.lastIndex()
                && !pr.inflight.isEmpty() && now - pr.lastProgressAt >= 2 * config.heartbeatIntervalMillis()) {
            // appends were lost: fall back to probing from the last known match
            pr.becomeProbe(pr.match + 1);
        }
        confirmReads();
    }

    private void maybeCommit() {
        if (role != RaftRole.LEADER) {
            return;
        }
        Membership m = log.membership();
        List<String> voters = m.voters();
        long[] matches = new long[voters.size()];
        for (int i = 0; i < matches.length; i++) {
            String v = voters.get(i);
            if (v.equals(id)) {
                matches[i] = log.lastIndex();
            } else {
                Progress pr = progress.get(v);
                matches[i] = pr == null ? 0 : pr.match;
            }
        }
        Arrays.sort(matches);
        long candidate = matches[matches.length - m.quorum()];
        // Figure 8: only an entry of the current term commits by counting replicas
        if (candidate > commit && log.term(candidate) == term) {
            commit = candidate;
            onLeaderCommit();
        }
    }

    private void onLeaderCommit() {
        if (!readsAwaitingTermCommit.isEmpty() && log.term(commit) == term) {
            for (PendingRead r : readsAwaitingTermCommit) {
                registerRead(r.origin(), r.requestId());
            }
            readsAwaitingTermCommit.clear();
        }
        if (!log.membership().hasVoter(id) && commit >= log.lastConfigIndex()) {
            // this leader's removal is committed: hand over by stepping down
            becomeFollower(term, NONE);
        }
    }

    private void broadcastHeartbeat() {
        heartbeatSeq++;
        readRoundWanted = false;
        nextHeartbeatAt = now + config.heartbeatIntervalMillis();
        for (String peer : log.membership().members()) {
            if (peer.equals(id)) {
                continue;
            }
            Progress pr = progress.get(peer);
            long canCommit = pr == null ? 0 : Math.min(pr.match, commit);
            if (pr != null) {
                pr.sentCommit = Math.max(pr.sentCommit, canCommit);
            }
            outbox.add(new Heartbeat(id, peer, term, canCommit, heartbeatSeq));
        }
    }

    private boolean quorumActive() {
        Membership m = log.membership();
        int active = 0;
        for (String v : m.voters()) {
            if (v.equals(id)) {
                active++;
            } else {
                Progress pr = progress.get(v);
                if (pr != null && pr.recentActive) {
                    active++;
                }
            }
        }
        for (Progress pr : progress.values()) {
            pr.recentActive = false;
        }
        return active >= m.quorum();
    }

    // ------------------------------------------------------------------ leader: transfer

    private void maybeSendTimeoutNow() {
        if (transferTarget.isEmpty() || transferAnswered) {
            return;
        }
        Progress pr = progress.get(transferTarget);
        if (pr != null && pr.match == log.lastIndex()) {
            outbox.add(new TimeoutNow(id, transferTarget, term));
            outcomes.add(new RequestOutcome.TransferStarted(transferRequestId, transferTarget));
            transferAnswered = true;
        }
    }

    private void abortTransfer(String reason) {
        if (!transferAnswered) {
            outcomes.add(new RequestOutcome.Rejected(transferRequestId, reason, leader));
        }
        transferTarget = NONE;
    }

    // ------------------------------------------------------------------ leader: reads

    private void registerRead(String origin, long requestId) {
        if (log.term(commit) != term) {
            // the leader does not know the commit index of its term before its no-op commits
            readsAwaitingTermCommit.add(new PendingRead(origin, requestId, 0, 0));
            return;
        }
        pendingReads.addLast(new PendingRead(origin, requestId, commit, heartbeatSeq + 1));
        readRoundWanted = true;
        confirmReads();
    }

    private void confirmReads() {
        Membership m = log.membership();
        while (!pendingReads.isEmpty()) {
            PendingRead r = pendingReads.peekFirst();
            int acks = 0;
            for (String v : m.voters()) {
                if (v.equals(id)) {
                    acks++;
                } else {
                    Progress pr = progress.get(v);
                    if (pr != null && pr.ackedSeq >= r.seq()) {
                        acks++;
                    }
                }
            }
            if (acks < m.quorum()) {
                return;
            }
            pendingReads.pollFirst();
            if (r.origin().isEmpty()) {
                outcomes.add(new RequestOutcome.ReadReady(r.requestId(), r.readIndex()));
            } else {
                outbox.add(new ReadIndexResponse(id, r.origin(), term, r.requestId(), r.readIndex(), true));
            }
        }
    }

    private void failRead(PendingRead r) {
        if (r.origin().isEmpty()) {
            outcomes.add(new RequestOutcome.Rejected(r.requestId(), "leadership lost before the read was confirmed",
                    NONE));
        } else {
            outbox.add(new ReadIndexResponse(id, r.origin(), term, r.requestId(), 0, false));
        }
    }

    @Override
    public String toString() {
        return id + "[" + role + " term=" + term + " leader=" + leader + " last=" + log.lastIndex() + " commit="
                + commit + " snap=" + log.snapshotIndex() + " " + log.membership() + "]";
    }
}

package org.agentmesh.pbft;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.agentmesh.pbft.PbftMessage.Checkpoint;
import org.agentmesh.pbft.PbftMessage.Commit;
import org.agentmesh.pbft.PbftMessage.NewView;
import org.agentmesh.pbft.PbftMessage.PrePrepare;
import org.agentmesh.pbft.PbftMessage.Prepare;
import org.agentmesh.pbft.PbftMessage.Reply;
import org.agentmesh.pbft.PbftMessage.Request;
import org.agentmesh.pbft.PbftMessage.StateReply;
import org.agentmesh.pbft.PbftMessage.StateRequest;
import org.agentmesh.pbft.PbftMessage.Status;
import org.agentmesh.pbft.PbftMessage.ViewChange;

/**
 * One pBFT replica (Castro and Liskov, OSDI'99) as a deterministic state machine: {@link #step} takes a message or a
 * timer expiry and the current time, and returns what to send, execute and arm. No threads, clocks or I/O; all
 * randomness-free. The {@link ReplicatedService} it executes must be deterministic.
 *
 * <p>Normal case: the primary of view v (replicas[v mod n]) batches client requests into a PRE-PREPARE with the next
 * sequence number inside the water marks (h, h+L]; backups accept it (one per view and sequence number; a conflicting
 * one from the primary is proof that it lies and starts a view change) and broadcast PREPARE; with 2f matching prepares
 * a replica is prepared and broadcasts COMMIT; with 2f+1 matching commits it is committed-local and executes the batch
 * once every lower sequence number has executed, replying to each client. Every K executed sequence numbers it
 * broadcasts a CHECKPOINT with its state digest; 2f+1 matching checkpoints make it stable, move h, and garbage-collect
 * the log below it. A replica behind a stable checkpoint fetches the state (STATE-REQUEST/STATE-REPLY, checked against
 * the checkpoint digest).
 *
 * <p>View change: a backup whose oldest pending request does not execute within the request timeout (or that catches
 * the primary equivocating) broadcasts VIEW-CHANGE for v+1 with its stable checkpoint proof and prepared certificates;
 * f+1 view changes for higher views make a replica join the smallest of them. The new primary, with 2f+1 view changes,
 * recomputes the pre-prepares between the highest stable checkpoint and the highest prepared sequence number (the
 * certificate of the highest view, or a null request) and broadcasts NEW-VIEW; backups verify every signature and proof
 * in it and recompute the pre-prepares before installing the view. A view change that does not complete in time moves
 * on to the next view with a doubled timeout.
 *
 * <p>Retransmission: every status interval each replica broadcasts STATUS; peers answer a lagging sender with the
 * NEW-VIEW, checkpoint proof, pre-prepares, prepares and commits it misses.
 */
public final class PbftCore {

    /** Per sequence number, in the current view. */
    private static final class Slot {
        PrePrepare prePrepare;
        final Map<String, Prepare> prepares = new TreeMap<>();
        final Map<String, Commit> commits = new TreeMap<>();
        Prepare ownPrepare;
        Commit ownCommit;
        boolean prepared;
        boolean committed;
    }

    private final PbftConfig config;
    private final String self;
    private final Authenticator auth;
    private final ReplicatedService service;
    private final int f;

    private long now;
    private List<PbftOutput> out = new ArrayList<>();

    private long view;
    private boolean active = true;
    private long lastExecuted;
    private long stableSeq;
    private String stableDigest = "";
    private List<Checkpoint> stableProof = List.of();
    private final TreeMap<Long, Slot> log = new TreeMap<>();
    private final TreeMap<Long, PreparedCertificate> preparedCerts = new TreeMap<>();
    private final TreeMap<Long, Map<String, Checkpoint>> checkpoints = new TreeMap<>();
    private final TreeMap<Long, ReplicaSnapshot> snapshots = new TreeMap<>();
    private final TreeMap<String, ReplicaSnapshot.ClientEntry> clients = new TreeMap<>();
    private long stateTarget;

    // primary
    private long nextSeq = 1;
    /** Requests waiting for a pre-prepare, by client (one per client). */
    private final LinkedHashMap<String, Request> queue = new LinkedHashMap<>();
    private final Set<String> assigned = new HashSet<>();
    // the latest request of each client this replica waits for (the request timer); one per client bounds it
    private final LinkedHashMap<String, Request> pending = new LinkedHashMap<>();
    /** Future-view VIEW-CHANGEs kept per sender; more are dropped so a byzantine replica cannot grow the map. */
    private static final int MAX_FUTURE_VIEW_CHANGES_PER_SENDER = 4;

    // view change
    private final TreeMap<Long, TreeMap<String, ViewChange>> viewChanges = new TreeMap<>();
    private ViewChange ownViewChange;
    private NewView lastNewView;
    private int failedViewChanges;
    private long viewsInstalled;
    private long viewChangesStarted;

    private final EnumMap<TimerKind, Long> deadlines = new EnumMap<>(TimerKind.class);
    private final TreeMap<DropReason, Long> drops = new TreeMap<>();

    public PbftCore(PbftConfig config, Authenticator auth, ReplicatedService service) {
        if (!config.replicas().contains(auth.self())) {
            throw new IllegalArgumentException(auth.self() + " is not a replica");
        }
        this.config = config;
        this.self = auth.self();
        this.auth = auth;
        this.service = service;
        this.f = config.f();
    }

    // ------------------------------------------------------------------ public API

    /** Arms the periodic timers; call once at start and again after a restart (timers die with the process). */
    public List<PbftOutput> start(long nowMillis) {
        begin(nowMillis);
        setTimer(TimerKind.STATUS, config.statusIntervalMillis());
        for (Map.Entry<TimerKind, Long> e : new EnumMap<>(deadlines).entrySet()) {
            if (e.getKey() != TimerKind.STATUS) {
                out.add(new PbftOutput.SetTimer(e.getKey(), Math.max(0, e.getValue() - now)));
            }
        }
        return end();
    }

    /**
     * Restores what this replica wrote before a restart (the fold of its {@link DurableEvent}s): the stable checkpoint's
     * state, the batches executed after it (executed again, silently), the pre-prepares it accepted in its view and
     * its prepared certificates, and its view, or the view change it was in. Call once, on a fresh core, before
     * {@link #start}; what it lost (others' messages, the commit phase of open slots) comes back by retransmission.
     */
    public void recover(DurableState state) {
        view = state.view();
        active = state.active();
        if (state.stableSeq() > 0) {
            stableSeq = state.stableSeq();
            stableDigest = state.stableDigest();
            stableProof = state.stableProof();
            snapshots.put(stableSeq, state.stableState());
            service.restore(state.stableState().service());
            clients.putAll(state.stableState().clients());
            lastExecuted = stableSeq;
        }
        for (Map.Entry<Long, List<Request>> e : state.executed().entrySet()) {
            if (e.getKey() != lastExecuted + 1) {
                break; // a gap cannot happen (execution is in order); stop rather than execute out of order
            }
            long seq = e.getKey();
            for (Request r : e.getValue()) {
                ReplicaSnapshot.ClientEntry c = clients.get(r.sender());
                if (c == null || r.timestamp() > c.timestamp()) {
                    clients.put(r.sender(), new ReplicaSnapshot.ClientEntry(r.timestamp(),
                            service.execute(r.sender(), r.operation(), seq)));
                }
            }
            lastExecuted = seq;
            if (seq % config.checkpointInterval() == 0) {
                ReplicaSnapshot snapshot = new ReplicaSnapshot(seq, service.snapshot(), clients);
                snapshots.put(seq, snapshot);
                checkpoints.computeIfAbsent(seq, s -> new TreeMap<>())
                        .put(self, sign(new Checkpoint(seq, CanonicalEncoding.digest(snapshot), self, "")));
            }
        }
        preparedCerts.putAll(state.prepared());
        nextSeq = Math.max(nextSeq, lastExecuted + 1);
        for (PrePrepare pp : state.accepted().values()) {
            nextSeq = Math.max(nextSeq, pp.seq() + 1);
            if (pp.view() != view || pp.seq() <= lastExecuted) {
                continue;
            }
            Slot slot = log.computeIfAbsent(pp.seq(), s -> new Slot());
            slot.prePrepare = pp;
            if (!config.primary(view).equals(self)) {
                slot.ownPrepare = sign(new Prepare(view, pp.seq(), pp.digest(), self, ""));
                slot.prepares.put(self, slot.ownPrepare);
            }
            PreparedCertificate cert = preparedCerts.get(pp.seq());
            if (cert != null && cert.prePrepare().view() == view && cert.prePrepare().digest().equals(pp.digest())) {
                cert.prepares().forEach(p -> slot.prepares.put(p.sender(), p));
                slot.prepared = true;
                slot.ownCommit = sign(new Commit(view, pp.seq(), pp.digest(), self, ""));
                slot.commits.put(self, slot.ownCommit);
            }
        }
        if (!active) {
            List<PreparedCertificate> certs = new ArrayList<>(preparedCerts.tailMap(stableSeq, false).values());
            ownViewChange = sign(new ViewChange(view, stableSeq, stableProof, certs, self, ""));
            viewChanges.computeIfAbsent(view, v -> new TreeMap<>()).put(self, ownViewChange);
        }
    }

    public List<PbftOutput> step(PbftInput input, long nowMillis) {
        begin(nowMillis);
        if (input instanceof PbftInput.Deliver d) {
            receive(d.message());
        } else if (input instanceof PbftInput.TimerFired t) {
            onTimer(t.kind());
        }
        return end();
    }

    public String id() {
        return self;
    }

    public long view() {
        return view;
    }

    /** False while changing views (waiting for a NEW-VIEW). */
    public boolean viewActive() {
        return active;
    }

    public boolean isPrimary() {
        return config.primary(view).equals(self);
    }

    public long lastExecuted() {
        return lastExecuted;
    }

    public long stableCheckpoint() {
        return stableSeq;
    }

    /** Views installed after view 0 (each completed view change counts once). */
    public long viewChangesCompleted() {
        return viewsInstalled;
    }

    public long viewChangesStarted() {
        return viewChangesStarted;
    }

    /** Dropped messages per reason. */
    public Map<DropReason, Long> dropCounts() {
        return new TreeMap<>(drops);
    }

    /** Log slots currently held (bounded by the water marks). */
    public int logSize() {
        return log.size();
    }

    public PbftConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ plumbing

    private void begin(long nowMillis) {
        now = nowMillis;
        out = new ArrayList<>();
    }

    private List<PbftOutput> end() {
        List<PbftOutput> result = out;
        out = new ArrayList<>();
        return result;
    }

    @SuppressWarnings("unchecked")
    private <T extends PbftMessage> T sign(T message) {
        return (T) message.withSignature(auth.sign(CanonicalEncoding.content(message)));
    }

    private boolean verified(PbftMessage m) {
        return auth.verify(m.sender(), CanonicalEncoding.content(m), m.signature());
    }

    private void persist(DurableEvent event) {
        out.add(new PbftOutput.Persist(event));
    }

    private void drop(DropReason reason, PbftMessage m) {
        drops.merge(reason, 1L, Long::sum);
        out.add(new PbftOutput.Dropped(reason, m.getClass().getSimpleName(), m.sender()));
    }

    private void broadcast(PbftMessage m) {
        out.add(new PbftOutput.Broadcast(m));
    }

    private void send(String to, PbftMessage m) {
        if (!to.equals(self)) {
            out.add(new PbftOutput.Send(to, m));
        }
    }

    private void setTimer(TimerKind kind, long delay) {
        deadlines.put(kind, now + delay);
        out.add(new PbftOutput.SetTimer(kind, delay));
    }

    private void cancelTimer(TimerKind kind) {
        if (deadlines.remove(kind) != null) {
            out.add(new PbftOutput.CancelTimer(kind));
        }
    }

    private boolean isReplica(String id) {
        return config.replicas().contains(id);
    }

    private String primary() {
        return config.primary(view);
    }

    private long highWaterMark() {
        return stableSeq + config.logSize();
    }

    private boolean inWatermarks(long seq) {
        return seq > stableSeq && seq <= highWaterMark();
    }

    // ------------------------------------------------------------------ receive

    private void receive(PbftMessage m) {
        boolean fromClient = m instanceof Request;
        if (fromClient ? !auth.knows(m.sender()) : !isReplica(m.sender())) {
            drop(DropReason.UNKNOWN_SENDER, m);
            return;
        }
        if (!verified(m)) {
            drop(DropReason.BAD_SIGNATURE, m);
            return;
        }
        if (m instanceof Request r) {
            onRequest(r);
        } else if (m instanceof PrePrepare pp) {
            onPrePrepare(pp);
        } else if (m instanceof Prepare p) {
            onPrepare(p);
        } else if (m instanceof Commit c) {
            onCommit(c);
        } else if (m instanceof Checkpoint cp) {
            onCheckpoint(cp);
        } else if (m instanceof ViewChange vc) {
            onViewChange(vc);
        } else if (m instanceof NewView nv) {
            onNewView(nv);
        } else if (m instanceof Status s) {
            onStatus(s);
        } else if (m instanceof StateRequest sr) {
            onStateRequest(sr);
        } else if (m instanceof StateReply sr) {
            onStateReply(sr);
        } else {
            drop(DropReason.INVALID, m); // a reply sent to a replica
        }
    }

    private boolean executed(Request r) {
        ReplicaSnapshot.ClientEntry e = clients.get(r.sender());
        return e != null && r.timestamp() <= e.timestamp();
    }

    private void onRequest(Request r) {
        ReplicaSnapshot.ClientEntry e = clients.get(r.sender());
        if (e != null && r.timestamp() <= e.timestamp()) {
            if (r.timestamp() == e.timestamp()) {
                reply(r.sender(), r.timestamp(), e.result());
            }
            return;
        }
        if (active && isPrimary()) {
            Request queued = queue.get(r.sender());
            if (!assigned.contains(r.key()) && (queued == null || queued.timestamp() < r.timestamp())) {
                queue.put(r.sender(), r); // one per client: a client has one request outstanding
                tryIssue(false);
            }
            return;
        }
        Request had = pending.get(r.sender());
        boolean fresh = had == null || had.timestamp() < r.timestamp();
        if (fresh) {
            pending.put(r.sender(), r);
        }
        if (active) {
            if (fresh) {
                send(primary(), r);
            }
            if (!deadlines.containsKey(TimerKind.REQUEST)) {
                setTimer(TimerKind.REQUEST, config.requestTimeoutMillis());
            }
        }
    }

    private void reply(String client, long timestamp, String result) {
        Reply reply = sign(new Reply(view, timestamp, client, result, self, ""));
        out.add(new PbftOutput.ReplyToClient(client, reply));
    }

    // ------------------------------------------------------------------ normal case

    private void tryIssue(boolean flush) {
        while (active && isPrimary() && !queue.isEmpty() && nextSeq <= highWaterMark()) {
            queue.values().removeIf(this::executed);
            if (queue.isEmpty()) {
                break;
            }
            if (queue.size() < config.maxBatch() && !flush && config.batchDelayMillis() > 0) {
                if (!deadlines.containsKey(TimerKind.BATCH)) {
                    setTimer(TimerKind.BATCH, config.batchDelayMillis());
                }
                return;
            }
            List<Request> batch = new ArrayList<>();
            var it = queue.values().iterator();
            while (it.hasNext() && batch.size() < config.maxBatch()) {
                Request r = it.next();
                it.remove();
                batch.add(r);
                assigned.add(r.key());
            }
            long seq = nextSeq++;
            PrePrepare pp = sign(new PrePrepare(view, seq, CanonicalEncoding.digest(batch), batch, self, ""));
            Slot slot = log.computeIfAbsent(seq, s -> new Slot());
            slot.prePrepare = pp;
            persist(new DurableEvent.Accepted(pp));
            broadcast(pp);
            checkProgress(seq);
            flush = false;
        }
        if (queue.isEmpty()) {
            cancelTimer(TimerKind.BATCH);
        }
    }

    private boolean batchValid(PrePrepare pp) {
        if (pp.batch().size() > config.maxBatch() || !CanonicalEncoding.digest(pp.batch()).equals(pp.digest())) {
            return false;
        }
        for (Request r : pp.batch()) {
            if (!auth.knows(r.sender()) || !verified(r)) {
                return false;
            }
        }
        return true;
    }

    private void onPrePrepare(PrePrepare pp) {
        if (!pp.sender().equals(config.primary(pp.view()))) {
            drop(DropReason.NOT_FROM_PRIMARY, pp);
            return;
        }
        if (pp.view() != view || !active) {
            drop(DropReason.STALE, pp);
            return;
        }
        if (!inWatermarks(pp.seq())) {
            drop(pp.seq() <= stableSeq ? DropReason.STALE : DropReason.OUT_OF_WATERMARKS, pp);
            return;
        }
        Slot slot = log.get(pp.seq());
        if (slot != null && slot.prePrepare != null) {
            if (slot.prePrepare.digest().equals(pp.digest())) {
                drop(DropReason.DUPLICATE, pp);
            } else {
                // two signed pre-prepares for one (view, seq): the primary is lying
                drop(DropReason.CONFLICTING_VOTE, pp);
                startViewChange(view + 1);
            }
            return;
        }
        if (!batchValid(pp)) {
            drop(DropReason.INVALID, pp);
            return;
        }
        acceptPrePrepare(pp);
    }

    private void acceptPrePrepare(PrePrepare pp) {
        Slot slot = log.computeIfAbsent(pp.seq(), s -> new Slot());
        slot.prePrepare = pp;
        for (Request r : pp.batch()) {
            assigned.add(r.key());
        }
        persist(new DurableEvent.Accepted(pp));
        if (!isPrimary()) {
            Prepare p = sign(new Prepare(view, pp.seq(), pp.digest(), self, ""));
            slot.ownPrepare = p;
            slot.prepares.put(self, p);
            broadcast(p);
        }
        checkProgress(pp.seq());
    }

    private boolean acceptVote(PbftMessage m, long msgView, long seq) {
        if (msgView != view || !active) {
            drop(DropReason.STALE, m);
            return false;
        }
        if (!inWatermarks(seq)) {
            drop(seq <= stableSeq ? DropReason.STALE : DropReason.OUT_OF_WATERMARKS, m);
            return false;
        }
        return true;
    }

    private void onPrepare(Prepare p) {
        if (p.sender().equals(config.primary(p.view()))) {
            drop(DropReason.INVALID, p); // the primary does not prepare
            return;
        }
        if (!acceptVote(p, p.view(), p.seq())) {
            return;
        }
        Slot slot = log.computeIfAbsent(p.seq(), s -> new Slot());
        Prepare had = slot.prepares.putIfAbsent(p.sender(), p);
        if (had != null) {
            drop(had.digest().equals(p.digest()) ? DropReason.DUPLICATE : DropReason.CONFLICTING_VOTE, p);
            return;
        }
        checkProgress(p.seq());
    }

    private void onCommit(Commit c) {
        if (!acceptVote(c, c.view(), c.seq())) {
            return;
        }
        Slot slot = log.computeIfAbsent(c.seq(), s -> new Slot());
        Commit had = slot.commits.putIfAbsent(c.sender(), c);
        if (had != null) {
            drop(had.digest().equals(c.digest()) ? DropReason.DUPLICATE : DropReason.CONFLICTING_VOTE, c);
            return;
        }
        checkProgress(c.seq());
    }

    private void checkProgress(long seq) {
        Slot slot = log.get(seq);
        if (slot == null || slot.prePrepare == null) {
            return;
        }
        String digest = slot.prePrepare.digest();
        if (!slot.prepared) {
            List<Prepare> matching = new ArrayList<>();
            for (Prepare p : slot.prepares.values()) {
                if (p.digest().equals(digest)) {
                    matching.add(p);
                }
            }
            if (matching.size() >= 2 * f) {
                slot.prepared = true;
                PreparedCertificate cert = new PreparedCertificate(slot.prePrepare, matching.subList(0, 2 * f));
                preparedCerts.put(seq, cert);
                persist(new DurableEvent.Prepared(cert));
                Commit c = sign(new Commit(view, seq, digest, self, ""));
                slot.ownCommit = c;
                slot.commits.put(self, c);
                broadcast(c);
            }
        }
        if (slot.prepared && !slot.committed) {
            long matching = slot.commits.values().stream().filter(c -> c.digest().equals(digest)).count();
            if (matching >= 2L * f + 1) {
                slot.committed = true;
                executeReady();
            }
        }
    }

    private void executeReady() {
        boolean progress = false;
        while (stateTarget == 0) {
            Slot slot = log.get(lastExecuted + 1);
            if (slot == null || !slot.committed) {
                break;
            }
            long seq = lastExecuted + 1;
            persist(new DurableEvent.Executed(seq, slot.prePrepare.batch()));
            List<String> results = new ArrayList<>();
            for (Request r : slot.prePrepare.batch()) {
                ReplicaSnapshot.ClientEntry e = clients.get(r.sender());
                String result;
                if (e == null || r.timestamp() > e.timestamp()) {
                    result = service.execute(r.sender(), r.operation(), seq);
                    clients.put(r.sender(), new ReplicaSnapshot.ClientEntry(r.timestamp(), result));
                    reply(r.sender(), r.timestamp(), result);
                } else {
                    result = r.timestamp() == e.timestamp() ? e.result() : "";
                }
                results.add(result);
                assigned.remove(r.key());
                queue.computeIfPresent(r.sender(), (client, q) -> q.timestamp() <= r.timestamp() ? null : q);
            }
            lastExecuted = seq;
            progress = true;
            out.add(new PbftOutput.Executed(seq, view, slot.prePrepare.digest(), slot.prePrepare.batch(), results));
            if (seq % config.checkpointInterval() == 0) {
                takeCheckpoint(seq);
            }
        }
        if (progress) {
            failedViewChanges = 0;
            afterProgress();
        }
    }

    private void afterProgress() {
        pending.values().removeIf(this::executed);
        if (pending.isEmpty() || isPrimary() || !active) {
            cancelTimer(TimerKind.REQUEST);
        } else {
            setTimer(TimerKind.REQUEST, config.requestTimeoutMillis());
        }
        tryIssue(false);
    }

    // ------------------------------------------------------------------ checkpoints and state transfer

    private void takeCheckpoint(long seq) {
        ReplicaSnapshot snapshot = new ReplicaSnapshot(seq, service.snapshot(), clients);
        snapshots.put(seq, snapshot);
        Checkpoint cp = sign(new Checkpoint(seq, CanonicalEncoding.digest(snapshot), self, ""));
        checkpoints.computeIfAbsent(seq, s -> new TreeMap<>()).put(self, cp);
        broadcast(cp);
        checkStable(seq);
    }

    private void onCheckpoint(Checkpoint cp) {
        if (cp.seq() <= stableSeq) {
            drop(DropReason.STALE, cp);
            return;
        }
        if (cp.seq() > highWaterMark() + config.logSize()) {
            drop(DropReason.OUT_OF_WATERMARKS, cp);
            return;
        }
        Checkpoint had = checkpoints.computeIfAbsent(cp.seq(), s -> new TreeMap<>()).putIfAbsent(cp.sender(), cp);
        if (had != null) {
            drop(had.stateDigest().equals(cp.stateDigest()) ? DropReason.DUPLICATE : DropReason.CONFLICTING_VOTE, cp);
            return;
        }
        checkStable(cp.seq());
    }

    private void checkStable(long seq) {
        Map<String, Checkpoint> at = checkpoints.get(seq);
        if (at == null) {
            return;
        }
        Map<String, List<Checkpoint>> byDigest = new TreeMap<>();
        for (Checkpoint cp : at.values()) {
            byDigest.computeIfAbsent(cp.stateDigest(), d -> new ArrayList<>()).add(cp);
        }
        for (Map.Entry<String, List<Checkpoint>> e : byDigest.entrySet()) {
            if (e.getValue().size() >= 2 * f + 1) {
                makeStable(seq, e.getKey(), e.getValue().subList(0, 2 * f + 1));
                return;
            }
        }
    }

    private void makeStable(long seq, String digest, List<Checkpoint> proof) {
        if (seq <= stableSeq) {
            return;
        }
        stableSeq = seq;
        stableDigest = digest;
        stableProof = List.copyOf(proof);
        log.headMap(seq, true).clear();
        preparedCerts.headMap(seq, true).clear();
        checkpoints.headMap(seq, false).clear();
        snapshots.headMap(seq, false).clear();
        if (nextSeq <= seq) {
            nextSeq = seq + 1;
        }
        out.add(new PbftOutput.CheckpointStable(seq, digest));
        if (snapshots.containsKey(seq)) {
            persist(new DurableEvent.Stable(seq, digest, stableProof, snapshots.get(seq)));
        }
        if (lastExecuted < seq) {
            stateTarget = seq;
            broadcast(sign(new StateRequest(seq, self, "")));
        }
        tryIssue(false);
    }

    private void onStateRequest(StateRequest sr) {
        ReplicaSnapshot snapshot = snapshots.get(sr.seq());
        if (snapshot == null || sr.seq() > lastExecuted) {
            drop(DropReason.STALE, sr);
            return;
        }
        send(sr.sender(), sign(new StateReply(sr.seq(), snapshot, self, "")));
    }

    private void onStateReply(StateReply sr) {
        if (stateTarget == 0 || sr.seq() != stateTarget || sr.seq() != stableSeq) {
            drop(DropReason.STALE, sr);
            return;
        }
        if (sr.state().seq() != sr.seq() || !CanonicalEncoding.digest(sr.state()).equals(stableDigest)) {
            drop(DropReason.INVALID, sr);
            return;
        }
        service.restore(sr.state().service());
        clients.clear();
        clients.putAll(sr.state().clients());
        snapshots.put(sr.seq(), sr.state());
        lastExecuted = sr.seq();
        stateTarget = 0;
        persist(new DurableEvent.Stable(sr.seq(), stableDigest, stableProof, sr.state()));
        out.add(new PbftOutput.StateTransferred(sr.seq()));
        executeReady();
        afterProgress();
    }

    // ------------------------------------------------------------------ status / retransmission

    private void onTimer(TimerKind kind) {
        Long deadline = deadlines.get(kind);
        if (deadline == null || now < deadline) {
            return; // cancelled or re-armed later
        }
        deadlines.remove(kind);
        switch (kind) {
            case REQUEST -> {
                pending.values().removeIf(this::executed);
                if (active && !pending.isEmpty()) {
                    startViewChange(view + 1);
                }
            }
            case VIEW_CHANGE -> {
                if (!active) {
                    failedViewChanges++;
                    startViewChange(view + 1);
                }
            }
            case BATCH -> tryIssue(true);
            case STATUS -> {
                broadcast(sign(new Status(view, active, lastExecuted, stableSeq, self, "")));
                if (!active && ownViewChange != null) {
                    broadcast(ownViewChange);
                }
                if (stateTarget != 0) {
                    broadcast(sign(new StateRequest(stateTarget, self, "")));
                }
                setTimer(TimerKind.STATUS, config.statusIntervalMillis());
            }
            default -> { }
        }
    }

    private void onStatus(Status s) {
        String to = s.sender();
        if (to.equals(self)) {
            return;
        }
        // checkpoints do not depend on views: a replica behind them learns of them (and fetches state) in any view
        if (s.stableSeq() < stableSeq) {
            stableProof.forEach(cp -> send(to, cp));
        }
        for (Map.Entry<Long, Map<String, Checkpoint>> e : checkpoints.tailMap(Math.max(s.stableSeq(), stableSeq), false)
                .entrySet()) {
            Checkpoint own = e.getValue().get(self);
            if (own != null) {
                send(to, own);
            }
        }
        if (active && lastNewView != null && (s.view() < view || (s.view() == view && !s.viewActive()))) {
            send(to, lastNewView);
            return;
        }
        if (!active && s.view() == view && !s.viewActive() && ownViewChange != null) {
            send(to, ownViewChange);
            return;
        }
        if (s.view() != view || !active || !s.viewActive()) {
            return;
        }
        for (Map.Entry<Long, Slot> e : log.tailMap(Math.max(s.lastExecuted(), stableSeq), false).entrySet()) {
            Slot slot = e.getValue();
            if (slot.prePrepare != null) {
                send(to, slot.prePrepare);
            }
            if (slot.ownPrepare != null) {
                send(to, slot.ownPrepare);
            }
            if (slot.ownCommit != null) {
                send(to, slot.ownCommit);
            }
        }
    }

    // ------------------------------------------------------------------ view change

    private void startViewChange(long newView) {
        if (newView <= view) {
            return;
        }
        view = newView;
        active = false;
        viewChangesStarted++;
        List<PreparedCertificate> certs = new ArrayList<>(preparedCerts.tailMap(stableSeq, false).values());
        ownViewChange = sign(new ViewChange(newView, stableSeq, stableProof, certs, self, ""));
        viewChanges.computeIfAbsent(newView, v -> new TreeMap<>()).put(self, ownViewChange);
        persist(new DurableEvent.ViewEntered(newView, false));
        broadcast(ownViewChange);
        log.clear();
        for (Request r : queue.values()) {
            pending.putIfAbsent(r.sender(), r); // handed to the next primary once it is installed
        }
        queue.clear();
        assigned.clear();
        cancelTimer(TimerKind.REQUEST);
        cancelTimer(TimerKind.BATCH);
        cancelTimer(TimerKind.VIEW_CHANGE);
        out.add(new PbftOutput.ViewChangeStarted(newView));
        armViewChangeTimerOnQuorum();
        tryNewView();
    }

    /**
     * The wait for a NEW-VIEW starts only once 2f+1 replicas (this one included) asked for the view, as in the paper:
     * a replica alone in suspecting the primary keeps asking for the next view but does not race on to later ones.
     * Each consecutive failed view change doubles the wait.
     */
    private void armViewChangeTimerOnQuorum() {
        if (active || deadlines.containsKey(TimerKind.VIEW_CHANGE)) {
            return;
        }
        TreeMap<String, ViewChange> at = viewChanges.get(view);
        if (at != null && at.size() >= 2 * f + 1) {
            setTimer(TimerKind.VIEW_CHANGE, config.viewChangeTimeoutMillis() << Math.min(failedViewChanges, 10));
        }
    }

    private boolean checkpointProofValid(long seq, List<Checkpoint> proof) {
        if (seq == 0) {
            return proof.isEmpty();
        }
        Set<String> senders = new HashSet<>();
        String digest = null;
        for (Checkpoint cp : proof) {
            if (cp.seq() != seq || !isReplica(cp.sender()) || !senders.add(cp.sender())
                    || (digest != null && !digest.equals(cp.stateDigest())) || !verified(cp)) {
                return false;
            }
            digest = cp.stateDigest();
        }
        return senders.size() >= 2 * f + 1;
    }

    private boolean viewChangeValid(ViewChange vc) {
        if (!checkpointProofValid(vc.stableSeq(), vc.stableProof())) {
            return false;
        }
        Set<Long> seqs = new HashSet<>();
        for (PreparedCertificate cert : vc.prepared()) {
            PrePrepare pp = cert.prePrepare();
            if (pp.view() >= vc.newView() || pp.seq() <= vc.stableSeq()
                    || pp.seq() > vc.stableSeq() + config.logSize() || !seqs.add(pp.seq())
                    || !pp.sender().equals(config.primary(pp.view())) || !verified(pp) || !batchValid(pp)) {
                return false;
            }
            Set<String> senders = new HashSet<>();
            for (Prepare p : cert.prepares()) {
                if (p.view() != pp.view() || p.seq() != pp.seq() || !p.digest().equals(pp.digest())
                        || !isReplica(p.sender()) || p.sender().equals(pp.sender()) || !senders.add(p.sender())
                        || !verified(p)) {
                    return false;
                }
            }
            if (senders.size() < 2 * f) {
                return false;
            }
        }
        return true;
    }

    private void onViewChange(ViewChange vc) {
        if (vc.newView() < view || (vc.newView() == view && active)) {
            if (active && lastNewView != null && vc.newView() <= view) {
                send(vc.sender(), lastNewView); // help a replica that missed the NEW-VIEW
            }
            drop(DropReason.STALE, vc);
            return;
        }
        TreeMap<String, ViewChange> at = viewChanges.computeIfAbsent(vc.newView(), v -> new TreeMap<>());
        if (at.containsKey(vc.sender())) {
            drop(DropReason.DUPLICATE, vc);
            return;
        }
        if (!viewChangeValid(vc)) {
            drop(DropReason.INVALID, vc);
            if (at.isEmpty()) {
                viewChanges.remove(vc.newView());
            }
            return;
        }
        at.put(vc.sender(), vc);
        boundFutureViewChanges(vc.sender());
        // f+1 replicas want a later view: join the smallest such view
        Map<String, Long> wanting = new TreeMap<>();
        for (Map.Entry<Long, TreeMap<String, ViewChange>> e : viewChanges.tailMap(view, false).entrySet()) {
            for (String sender : e.getValue().keySet()) {
                wanting.putIfAbsent(sender, e.getKey());
            }
        }
        if (wanting.size() >= f + 1) {
            startViewChange(wanting.values().stream().min(Long::compare).orElseThrow());
        }
        armViewChangeTimerOnQuorum();
        tryNewView();
    }

    private void boundFutureViewChanges(String sender) {
        List<Long> views = new ArrayList<>();
        for (Map.Entry<Long, TreeMap<String, ViewChange>> e : viewChanges.tailMap(view, false).entrySet()) {
            if (e.getValue().containsKey(sender)) {
                views.add(e.getKey());
            }
        }
        for (int i = views.size() - 1; i >= MAX_FUTURE_VIEW_CHANGES_PER_SENDER; i--) {
            TreeMap<String, ViewChange> at = viewChanges.get(views.get(i));
            at.remove(sender);
            if (at.isEmpty()) {
                viewChanges.remove(views.get(i));
            }
        }
    }

    private void tryNewView() {
        if (active || !primary().equals(self)) {
            return;
        }
        TreeMap<String, ViewChange> at = viewChanges.get(view);
        if (at == null || at.size() < 2 * f + 1 || !at.containsKey(self)) {
            return;
        }
        List<ViewChange> chosen = new ArrayList<>(at.values()).subList(0, 2 * f + 1);
        List<PrePrepare> o = new ArrayList<>();
        for (PrePrepare pp : computePrePrepares(view, chosen)) {
            o.add(sign(pp));
        }
        NewView nv = sign(new NewView(view, chosen, o, self, ""));
        broadcast(nv);
        install(nv);
    }

    /** The O set: for each sequence number after the highest stable checkpoint, the highest-view certificate or null. */
    private List<PrePrepare> computePrePrepares(long newView, List<ViewChange> vcs) {
        long minS = vcs.stream().mapToLong(ViewChange::stableSeq).max().orElse(0);
        TreeMap<Long, PrePrepare> best = new TreeMap<>();
        for (ViewChange vc : vcs) {
            for (PreparedCertificate cert : vc.prepared()) {
                PrePrepare pp = cert.prePrepare();
                if (pp.seq() > minS) {
                    best.merge(pp.seq(), pp, (a, b) -> b.view() > a.view() ? b : a);
                }
            }
        }
        long maxS = best.isEmpty() ? minS : best.lastKey();
        List<PrePrepare> o = new ArrayList<>();
        String primary = config.primary(newView);
        for (long seq = minS + 1; seq <= maxS; seq++) {
            PrePrepare pp = best.get(seq);
            List<Request> batch = pp == null ? List.of() : pp.batch();
            String digest = pp == null ? CanonicalEncoding.digest(batch) : pp.digest();
            o.add(new PrePrepare(newView, seq, digest, batch, primary, ""));
        }
        return o;
    }

    private void onNewView(NewView nv) {
        if (!nv.sender().equals(config.primary(nv.view()))) {
            drop(DropReason.NOT_FROM_PRIMARY, nv);
            return;
        }
        if (nv.view() < view || (nv.view() == view && active) || nv.view() == 0) {
            drop(nv.view() == view ? DropReason.DUPLICATE : DropReason.STALE, nv);
            return;
        }
        if (!newViewValid(nv)) {
            drop(DropReason.INVALID, nv);
            return;
        }
        if (nv.view() > view) {
            view = nv.view();
        }
        install(nv);
    }

    private boolean newViewValid(NewView nv) {
        Set<String> senders = new HashSet<>();
        for (ViewChange vc : nv.viewChanges()) {
            if (vc.newView() != nv.view() || !isReplica(vc.sender()) || !senders.add(vc.sender())) {
                return false;
            }
            ViewChange known = viewChanges.getOrDefault(nv.view(), new TreeMap<>()).get(vc.sender());
            if (!vc.equals(known) && (!verified(vc) || !viewChangeValid(vc))) {
                return false;
            }
        }
        if (senders.size() < 2 * f + 1) {
            return false;
        }
        List<PrePrepare> expected = computePrePrepares(nv.view(), nv.viewChanges());
        if (expected.size() != nv.prePrepares().size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            PrePrepare given = nv.prePrepares().get(i);
            if (!expected.get(i).equals(given.withSignature("")) || !verified(given)) {
                return false;
            }
        }
        return true;
    }

    private void install(NewView nv) {
        // stays inactive until the O set is in the log, so nothing new is issued in between
        lastNewView = nv;
        ownViewChange = null;
        viewsInstalled++;
        cancelTimer(TimerKind.VIEW_CHANGE);
        viewChanges.headMap(view, true).clear();
        ViewChange best = nv.viewChanges().stream()
                .max((a, b) -> Long.compare(a.stableSeq(), b.stableSeq())).orElseThrow();
        if (best.stableSeq() > stableSeq) {
            makeStable(best.stableSeq(), best.stableProof().get(0).stateDigest(), best.stableProof());
        }
        log.clear();
        assigned.clear();
        persist(new DurableEvent.ViewEntered(view, true));
        long maxSeq = stableSeq;
        for (PrePrepare pp : nv.prePrepares()) {
            maxSeq = Math.max(maxSeq, pp.seq());
            if (pp.seq() > stableSeq) {
                acceptPrePrepare(pp);
            }
        }
        active = true;
        out.add(new PbftOutput.ViewChanged(view, primary()));
        if (isPrimary()) {
            nextSeq = maxSeq + 1;
            for (Request r : pending.values()) {
                if (!assigned.contains(r.key()) && !executed(r)) {
                    queue.putIfAbsent(r.sender(), r);
                }
            }
            pending.clear();
            cancelTimer(TimerKind.REQUEST);
            tryIssue(false);
        } else {
            pending.values().removeIf(this::executed);
            for (Request r : pending.values()) {
                send(primary(), r);
            }
            if (!pending.isEmpty()) {
                setTimer(TimerKind.REQUEST, config.requestTimeoutMillis());
            }
        }
    }
}

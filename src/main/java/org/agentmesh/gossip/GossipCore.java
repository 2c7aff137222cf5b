package org.agentmesh.gossip;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.random.RandomGenerator;
import org.agentmesh.gossip.GossipInput.Leave;
import org.agentmesh.gossip.GossipInput.PeerFailed;
import org.agentmesh.gossip.GossipInput.Publish;
import org.agentmesh.gossip.GossipInput.Receive;
import org.agentmesh.gossip.GossipInput.ReportLatency;
import org.agentmesh.gossip.GossipInput.Start;
import org.agentmesh.gossip.GossipInput.Tick;
import org.agentmesh.gossip.GossipInput.Update;
import org.agentmesh.gossip.GossipOutput.LinksChanged;
import org.agentmesh.gossip.GossipOutput.RumorDelivered;
import org.agentmesh.gossip.GossipOutput.Send;
import org.agentmesh.gossip.GossipOutput.SetTimer;
import org.agentmesh.gossip.GossipOutput.ViewChanged;

/**
 * The gossip protocol of one peer as a pure, deterministic state machine: membership views merged by push-pull
 * anti-entropy, rumor mongering, push-sum aggregates and the overlay links derived from the view.
 *
 * <h2>Driving it</h2>
 * A shell calls {@link #step(GossipInput, long)} with each input and the current time, and carries out the outputs
 * in order: {@link Send} a message, {@link SetTimer} (feed {@link Tick} after the delay; a new SetTimer replaces the
 * previous one), and hand {@link GossipOutput.ViewChanged}/{@link RumorDelivered}/{@link LinksChanged} to the
 * application. The first input must be {@link Start}. The core schedules its own rounds: every Tick answers with the
 * next SetTimer (interval with jitter drawn from the given random generator), so the shell never needs a clock of its
 * own. Nothing here reads a clock, starts a thread or draws randomness it was not given.
 *
 * <h2>One round</h2>
 * Check the peers this one is waiting to hear from (SUSPECTED after {@code suspectAfterMillis} of silence, DEAD after
 * {@code deadAfterMillis}); drop tombstones older than {@code tombstoneMillis}; send a {@link GossipMessage.Digest}
 * to {@code fanout} partners (overlay links weighted by reputation, plus {@code randomPartners} uniformly random live
 * peers; seeds while no peer is known), and again to peers that have not answered yet. Partner and initiator then
 * reconcile the buckets that differ ({@code Digest -> Summary -> Reply -> Push}).
 *
 * <h2>Heartbeats are not data</h2>
 * An entry's version changes only when its data does (capabilities, load, reputation, status, links), so an exchange
 * between peers that agree carries a digest of bucket hashes and an empty summary, whatever N. Liveness is seen from
 * the messages themselves, like SWIM: every message is a heartbeat of its sender, and every digest must be answered
 * by a summary. A peer that has not answered for {@code suspectAfterMillis} (while being asked every round) is marked
 * SUSPECTED at its current version; that stamp outranks its ALIVE one, so the suspicion spreads by anti-entropy, and
 * every peer holding it for {@code deadAfterMillis - suspectAfterMillis} marks it DEAD. Overlay links are contacted
 * about every round, and a random partner keeps being asked until it answers, so every peer is watched.
 * The own {@link PeerEntry#heartbeat()} counts rounds locally and travels only with a data change.
 *
 * <h2>Versions</h2>
 * The own entry starts at version {@code max(1, now)} (an incarnation number: a restarted peer outranks everything
 * its previous life said, with no durable state) and grows by one per data change. Seeing its own entry with a
 * higher stamp (say, declared SUSPECTED or DEAD by others) makes a peer jump above it: the refutation.
 */
public final class GossipCore {

    private final String self;
    private final List<String> seeds;
    private final GossipConfig config;
    /** Replaced by {@link GossipInput.Replan}; every peer of a swarm must use the same one for symmetric links. */
    private OverlayTopology topology;
    private final RandomGenerator random;
    private final PeerView view = new PeerView();
    /** Purged tombstones: id -> {version, purge time}; older versions of them are refused for another tombstone period. */
    private final Map<String, long[]> purged = new HashMap<>();
    private final RumorMonger rumors;
    /**
     * Peers a failure detector declared dead -> when. For {@code deadAfterMillis} afterwards, newer live entries of
     * them (heartbeats from before the crash still travelling) are taken in as DEAD: the detector has fresher news.
     */
    private final Map<String, Long> confirmedDead = new HashMap<>();
    private final PushSum pushSum;
    /** Peers sent a digest that have not answered since -> when the first unanswered digest went out. */
    private final Map<String, Long> awaiting = new HashMap<>();
    /** Propagation times of the last data updates taken in (a ring), for the convergence-time metric. */
    private final long[] updateDelays = new long[64];
    private long updateDelaysSeen;

    /** Peers heard from directly -> when (every message is a heartbeat of its sender). */
    private final Map<String, Long> lastHeard = new HashMap<>();
    /** SUSPECTED entries of the view -> since when, here. */
    private final Map<String, Long> suspectedSince = new HashMap<>();
    /** DEAD and LEFT entries of the view (self excluded) -> since when, here. */
    private final Map<String, Long> tombstones = new HashMap<>();

    private boolean started;
    private long incarnation;
    private long customRumors;
    private PeerEntry selfEntry;
    private double latencyMillis;

    private List<String> live = List.of();
    private boolean selfLive;
    private int deadCount;
    private SortedSet<String> links = Collections.emptySortedSet();
    private boolean membershipDirty;
    private boolean linksPending;
    /** The time of the step being run. */
    private long stepNow;
    private final List<String> joined = new ArrayList<>();
    private final List<String> departed = new ArrayList<>();

    private long rounds;
    private long messagesSent;
    private long messagesReceived;
    private long rumorsDelivered;
    private long lastViewChange;

    /** A core with the {@link MeshOverlay} topology. */
    public GossipCore(String selfId, Collection<String> seeds, GossipConfig config, RandomGenerator random) {
        this(selfId, seeds, config, MeshOverlay.of(config), random);
    }

    public GossipCore(String selfId, Collection<String> seeds, GossipConfig config, OverlayTopology topology,
                      RandomGenerator random) {
        this.self = Objects.requireNonNull(selfId, "selfId");
        this.seeds = seeds.stream().filter(s -> !s.equals(selfId)).distinct().sorted().toList();
        this.config = Objects.requireNonNull(config, "config");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.random = Objects.requireNonNull(random, "random");
        this.rumors = new RumorMonger(config.fanout(), config.rumorRetransmitExtra(), config.tombstoneMillis());
        this.pushSum = new PushSum(config.pushSumEpochRounds());
    }

    /** Feeds one input; returns what the shell must do, in order. */
    public List<GossipOutput> step(GossipInput input, long now) {
        Objects.requireNonNull(input, "input");
        stepNow = now;
        List<GossipOutput> out = new ArrayList<>();
        if (input instanceof Start s) {
            start(s, now, out);
        } else if (!started) {
            throw new IllegalStateException("the first input must be Start, got " + input);
        } else if (input instanceof Tick) {
            round(now, out);
        } else if (input instanceof Receive r) {
            receive(r.message(), now, out);
        } else if (input instanceof Update u) {
            PeerEntry e = selfEntry;
            SortedSet<String> caps = PeerEntry.sorted(u.capabilities());
            if (!caps.equals(e.capabilities()) || u.load() != e.load() || u.reputation() != e.reputation()) {
                setSelf(new PeerEntry(self, e.version() + 1, e.heartbeat(), caps, u.load(), u.reputation(), e.status(),
                        e.links(), now), now);
                if (!caps.equals(e.capabilities())) {
                    pushNow(List.of(selfEntry), pushHops(), null, out);
                }
            }
        } else if (input instanceof ReportLatency l) {
            if (!(l.millis() >= 0) || Double.isInfinite(l.millis())) {
                throw new IllegalArgumentException("latency must be finite and >= 0, was " + l.millis());
            }
            latencyMillis = l.millis();
        } else if (input instanceof PeerFailed f) {
            peerFailed(f.peer(), now, out);
        } else if (input instanceof GossipInput.PeerAlive a) {
            confirmedDead.remove(a.peer()); // its refutation (a newer live version) is taken in as such from now on
        } else if (input instanceof GossipInput.Replan r) {
            replan(r, now, out);
        } else if (input instanceof Publish p) {
            spreadNew(new Rumor(self + ":" + incarnation + ":" + (++customRumors), RumorKind.CUSTOM, self, self,
                    p.payload()), now, out);
        } else if (input instanceof Leave) {
            if (selfEntry.status() != PeerStatus.LEFT) {
                PeerEntry e = selfEntry;
                setSelf(new PeerEntry(self, e.version() + 1, e.heartbeat(), e.capabilities(), e.load(), e.reputation(),
                        PeerStatus.LEFT, e.links(), now), now);
                markMembership(self, false);
                spreadNew(new Rumor("left:" + self + ":" + selfEntry.version(), RumorKind.LEFT, self, self, ""), now, out);
                pushNow(List.of(selfEntry), pushHops(), null, out);
            }
        } else {
            throw new IllegalArgumentException("unknown input " + input);
        }
        if (!(input instanceof Receive)) {
            flushMembership(now, out);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- inputs

    /** A failure detector's verdict: DEAD here at once, and spread as a FAILED rumor and a pushed DEAD entry. */
    private void peerFailed(String peer, long now, List<GossipOutput> out) {
        int k = view.indexOf(peer);
        if (k >= 0 && !peer.equals(self)) {
            confirmedDead.put(peer, now);
            awaiting.remove(peer);
            if (view.entry(k).status().isLive()) {
                markDead(k, now);
                PeerEntry dead = view.entry(k);
                spreadNew(new Rumor("failed:" + peer + ":" + dead.version(), RumorKind.FAILED, self, peer, ""), now, out);
                pushNow(List.of(dead), pushHops(), null, out);
            }
        }
    }

    private void replan(GossipInput.Replan r, long now, List<GossipOutput> out) {
        // no peer is declared failed here: a member slow to answer the planner is no evidence of a crash
        topology = r.topology();
        membershipDirty = true;
        refreshLive();
        PeerEntry e = selfEntry;
        if (e.status().isLive() && !e.links().equals(links)) {
            setSelf(new PeerEntry(self, e.version() + 1, e.heartbeat(), e.capabilities(), e.load(), e.reputation(),
                    e.status(), links, now), now);
            pushNow(List.of(selfEntry), pushHops(), null, out);
        }
    }

    private void start(Start s, long now, List<GossipOutput> out) {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        incarnation = Math.max(1, now);
        selfEntry = new PeerEntry(self, incarnation, 0, PeerEntry.sorted(s.capabilities()), s.load(), s.reputation(),
                PeerStatus.ALIVE, Collections.emptySortedSet(), now);
        view.insert(List.of(selfEntry), now);
        membershipDirty = true;
        lastViewChange = now;
        boolean listed = false;
        if (!s.known().isEmpty()) {
            listed = s.known().stream().anyMatch(e -> e.peerId().equals(self));
            // one insert of the whole list (not a merge, which is per entry): a snapshot can hold 10,000 peers
            List<PeerEntry> others = new ArrayList<>(s.known().size());
            for (PeerEntry e : s.known()) {
                if (!e.peerId().equals(self)) {
                    others.add(e);
                }
            }
            others.sort(java.util.Comparator.comparing(PeerEntry::peerId)); // linear when sorted already
            List<PeerEntry> unique = new ArrayList<>(others.size());
            for (PeerEntry e : others) {
                int last = unique.size() - 1;
                if (last >= 0 && unique.get(last).peerId().equals(e.peerId())) {
                    if (e.stamp() > unique.get(last).stamp()) {
                        unique.set(last, e);
                    }
                } else {
                    unique.add(e);
                }
            }
            view.insert(unique, now);
            for (PeerEntry e : unique) {
                if (e.status() != PeerStatus.ALIVE) {
                    track(e.peerId(), e.status(), now);
                }
            }
            refreshLive();
            out.add(new ViewChanged(live.stream().filter(p -> !p.equals(self)).toList(), List.of(), live.size()));
            // the own entry starts with the links the snapshot's topology gives it, as the others expect
            selfEntry = new PeerEntry(self, incarnation, 0, selfEntry.capabilities(), s.load(), s.reputation(),
                    PeerStatus.ALIVE, links, now);
            view.set(view.indexOf(self), selfEntry, now);
        }
        pushSum.begin(0, s.load(), latencyMillis, true);
        if (!listed) {
            spreadNew(new Rumor("joined:" + self + ":" + incarnation, RumorKind.JOINED, self, self, ""), now, out);
        }
        out.add(new SetTimer(nextDelay()));
    }

    private void round(long now, List<GossipOutput> out) {
        rounds++;
        if (!confirmedDead.isEmpty()) {
            confirmedDead.values().removeIf(at -> now - at > config.deadAfterMillis());
        }
        detectFailures(now, out);
        purgeTombstones(now);
        if (rounds % 16 == 0) {
            rumors.forgetOld(now);
        }
        flushMembership(now, out);
        pushSum.tick(selfEntry.load(), latencyMillis, isDesignated());
        PeerEntry e = selfEntry;
        if (e.status() != PeerStatus.LEFT) {
            // the heartbeat counts rounds here only; the version moves only when the data does (here: the links)
            boolean linksChanged = !e.links().equals(links);
            setSelf(new PeerEntry(self, linksChanged ? e.version() + 1 : e.version(), e.heartbeat() + 1, e.capabilities(),
                    e.load(), e.reputation(), PeerStatus.ALIVE, links, linksChanged ? now : e.changedAtMillis()), now);
        }
        List<String> partners = choosePartners();
        // a copy: the view updates its hashes in place, a message must not change after it is sent
        long[] hashes = view.bucketHashes(PeerView.bucketCountFor(view.size())).clone();
        if (!partners.isEmpty()) {
            PushSumShare share = pushSum.split(partners.size());
            for (String p : partners) {
                send(p, new GossipMessage.Digest(self, hashes, rumors.takeForOneMessage(live.size()), share), out);
                awaiting.putIfAbsent(p, now);
            }
        }
        // no push-sum mass to a peer that may be gone
        PushSumShare none = new PushSumShare(pushSum.epoch(), 0, 0, 0, 0, 0);
        for (String p : retries(partners)) {
            send(p, new GossipMessage.Digest(self, hashes, rumors.takeForOneMessage(live.size()), none), out);
        }
        String probe = chooseProbe(partners);
        if (probe != null) {
            send(probe, new GossipMessage.Digest(self, hashes, rumors.takeForOneMessage(live.size()), none), out);
        }
        out.add(new SetTimer(nextDelay()));
    }

    /**
     * Up to {@code fanout} peers (not among this round's partners) that have not answered an earlier digest: asked
     * again every round, so that one lost message never looks like a failure.
     */
    private List<String> retries(List<String> partners) {
        if (awaiting.isEmpty()) {
            return List.of();
        }
        List<String> pending = new ArrayList<>();
        for (String p : awaiting.keySet()) {
            if (!partners.contains(p)) {
                pending.add(p);
            }
        }
        Collections.sort(pending); // HashMap order is deterministic, but sorted is plainly so
        List<String> out = new ArrayList<>(Math.min(pending.size(), config.fanout()));
        while (out.size() < config.fanout() && !pending.isEmpty()) {
            out.add(pending.remove(random.nextInt(pending.size())));
        }
        return out;
    }

    private void receive(GossipMessage message, long now, List<GossipOutput> out) {
        messagesReceived++;
        lastHeard.put(message.from(), now);
        awaiting.remove(message.from());
        for (Rumor r : message.rumors()) {
            if (rumors.accept(r, now)) {
                rumorsDelivered++;
                out.add(new RumorDelivered(r));
            }
        }
        if (message instanceof GossipMessage.Digest d) {
            pushSum.absorb(d.share(), selfEntry.load(), latencyMillis, isDesignated());
            summarise(d, out);
        } else if (message instanceof GossipMessage.Summary s) {
            reconcile(s, out);
        } else if (message instanceof GossipMessage.Reply r) {
            merge(r.newer(), now);
            if (!r.wanted().isEmpty()) {
                List<PeerEntry> entries = entriesFor(r.wanted());
                if (!entries.isEmpty()) {
                    send(r.from(), new GossipMessage.Push(self, entries, List.of()), out);
                }
            }
        } else if (message instanceof GossipMessage.Push p) {
            List<PeerEntry> fresh = merge(p.entries(), now);
            if (p.hops() > 0 && !fresh.isEmpty()) {
                pushNow(fresh, p.hops() - 1, p.from(), out);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- anti-entropy

    /** Answers a digest (always: the answer is also the sign of life the sender waits for). */
    private void summarise(GossipMessage.Digest d, List<GossipOutput> out) {
        int count = d.buckets().length;
        long[] mine = view.bucketHashes(count);
        int differing = 0;
        for (int b = 0; b < count; b++) {
            if (mine[b] != d.buckets()[b]) {
                differing++;
            }
        }
        int[] buckets = new int[differing];
        for (int b = 0, k = 0; b < count; b++) {
            if (mine[b] != d.buckets()[b]) {
                buckets[k++] = b;
            }
        }
        int[] idx = view.indicesIn(buckets, count);
        String[] ids = new String[idx.length];
        long[] stamps = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            ids[i] = view.id(idx[i]);
            stamps[i] = view.stamp(idx[i]);
        }
        send(d.from(), new GossipMessage.Summary(self, count, buckets, List.of(ids), stamps,
                rumors.takeForOneMessage(live.size())), out);
    }

    /** Reconciles a summary with the view's entries in the same buckets, in one merge over both sorted lists. */
    private void reconcile(GossipMessage.Summary s, List<GossipOutput> out) {
        if (Integer.bitCount(s.bucketCount()) != 1) {
            return; // not from this protocol: no answer
        }
        for (int b : s.buckets()) {
            if (b < 0 || b >= s.bucketCount()) {
                return;
            }
        }
        List<String> peers = s.peers();
        long[] stamps = s.stamps();
        int[] idx = view.indicesIn(s.buckets(), s.bucketCount());
        List<PeerEntry> newer = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        int n = peers.size();
        int m = idx.length;
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i == n) {
                newer.add(view.entry(idx[j++]));
                continue;
            }
            String a = peers.get(i);
            if (j == m) {
                if (accepts(a, stamps[i])) {
                    wanted.add(a);
                }
                i++;
                continue;
            }
            String b = view.id(idx[j]);
            int c = a == b ? 0 : a.compareTo(b);
            if (c == 0) {
                long mine = view.stamp(idx[j]);
                if (mine > stamps[i]) {
                    newer.add(view.entry(idx[j]));
                } else if (mine < stamps[i]) {
                    wanted.add(a);
                }
                i++;
                j++;
            } else if (c < 0) {
                if (accepts(a, stamps[i])) {
                    wanted.add(a);
                }
                i++;
            } else {
                newer.add(view.entry(idx[j++]));
            }
        }
        // rumors ride the digest and the summary only (both always sent), so a Reply goes out only with entries in it
        if (!newer.isEmpty() || !wanted.isEmpty()) {
            send(s.from(), new GossipMessage.Reply(self, newer, wanted, List.of()), out);
        }
    }

    /** Hops a pushed change travels: about log2(N) + 2, enough to cross the overlay through its random shortcuts. */
    private int pushHops() {
        int n = Math.max(2, live.size());
        return 64 - Long.numberOfLeadingZeros(n - 1) + 2;
    }

    /**
     * Pushes entries at once (rumor mongering of a change), if configured: to every overlay link and
     * {@code randomPartners} random live peers. Each peer forwards a change only when it was news to it, so a change
     * costs at most N * (links + random) messages, and arrives in milliseconds instead of rounds.
     */
    private void pushNow(List<PeerEntry> entries, int hops, String except, List<GossipOutput> out) {
        if (!config.pushChanges() || !started) {
            return;
        }
        refreshLive();
        List<String> targets = new ArrayList<>(links);
        int others = live.size() - (selfLive ? 1 : 0);
        for (int attempts = 0, added = 0; added < config.randomPartners() && attempts < 10 * (config.randomPartners() + 1)
                && targets.size() < others; attempts++) {
            String p = live.get(random.nextInt(live.size()));
            if (!p.equals(self) && !targets.contains(p)) {
                targets.add(p);
                added++;
            }
        }
        if (targets.isEmpty()) {
            targets = choosePartners(); // nobody live known yet: the seeds
        }
        for (String p : targets) {
            if (!p.equals(except)) {
                send(p, new GossipMessage.Push(self, entries, List.of(), hops), out);
            }
        }
    }

    /** Whether an entry with this stamp could be taken in at all (not an old version of a purged tombstone). */
    private boolean accepts(String id, long stamp) {
        long[] p = purged.get(id);
        return p == null || (stamp >> 2) > p[0];
    }

    /** Takes in what is newer; returns the entries taken in (for forwarding a pushed change). */
    private List<PeerEntry> merge(List<PeerEntry> incoming, long now) {
        Map<String, PeerEntry> fresh = null;
        List<PeerEntry> taken = new ArrayList<>();
        int j = 0;
        for (PeerEntry e : incoming) {
            String id = e.peerId();
            if (!confirmedDead.isEmpty() && e.status().isLive() && confirmedDead.containsKey(id)) {
                e = e.withStatus(PeerStatus.DEAD);
            }
            if (id.equals(self)) {
                refute(e, now);
                continue;
            }
            // sorted input is found in one forward pass; anything else still works, by binary search
            int k = view.seek(id, j);
            if (k >= 0) {
                j = k + 1;
                if (accept(k, e, now)) {
                    taken.add(e);
                }
            } else {
                if (accepts(id, e.stamp())) {
                    if (fresh == null) {
                        fresh = new HashMap<>();
                    }
                    fresh.merge(id, e, (x, y) -> x.stamp() >= y.stamp() ? x : y);
                }
            }
        }
        if (fresh != null) {
            List<PeerEntry> add = new ArrayList<>(fresh.values());
            add.sort(java.util.Comparator.comparing(PeerEntry::peerId));
            view.insert(add, now);
            for (PeerEntry e : add) {
                noteUpdateDelay(e, now);
                purged.remove(e.peerId());
                track(e.peerId(), e.status(), now);
                if (e.status().isLive()) {
                    markMembership(e.peerId(), true);
                }
            }
            taken.addAll(add);
        }
        return taken;
    }

    /** A newer version of a peer's data arrived: how long since its owner made it (the update's propagation time). */
    private void noteUpdateDelay(PeerEntry e, long now) {
        if (e.changedAtMillis() > 0) {
            updateDelays[(int) (updateDelaysSeen++ % updateDelays.length)] = Math.max(0, now - e.changedAtMillis());
        }
    }

    private boolean accept(int k, PeerEntry e, long now) {
        if (e.stamp() <= view.stamp(k)) {
            return false;
        }
        PeerEntry cur = view.entry(k);
        boolean wasLive = cur.status().isLive();
        boolean isLive = e.status().isLive();
        long changed = e.version() > cur.version() || e.status() != cur.status() ? now : view.changedAt(k);
        if (e.version() > cur.version()) {
            noteUpdateDelay(e, now);
        }
        view.set(k, e, changed);
        if (e.status() != cur.status()) {
            track(e.peerId(), e.status(), now);
        }
        if (wasLive != isLive) {
            markMembership(e.peerId(), isLive);
        }
        return true;
    }

    /** Keeps the suspicion and tombstone clocks in step with an entry's status. */
    private void track(String id, PeerStatus status, long now) {
        if (id.equals(self)) {
            return;
        }
        switch (status) {
            case ALIVE -> {
                suspectedSince.remove(id);
                tombstones.remove(id);
            }
            case SUSPECTED -> {
                suspectedSince.putIfAbsent(id, now);
                tombstones.remove(id);
            }
            case DEAD, LEFT -> {
                suspectedSince.remove(id);
                tombstones.putIfAbsent(id, now);
                awaiting.remove(id);
            }
        }
    }

    /** Others say something newer about this peer (typically: it is dead): outrank it. */
    private void refute(PeerEntry e, long now) {
        if (e.stamp() <= selfEntry.stamp()) {
            return;
        }
        PeerEntry s = selfEntry;
        PeerStatus status = s.status() == PeerStatus.LEFT ? PeerStatus.LEFT : PeerStatus.ALIVE;
        setSelf(new PeerEntry(self, Math.min(PeerEntry.MAX_VERSION, e.version() + 1), s.heartbeat(), s.capabilities(),
                s.load(), s.reputation(), status, s.links(), now), now);
    }

    private List<PeerEntry> entriesFor(List<String> ids) {
        List<PeerEntry> out = new ArrayList<>(ids.size());
        int j = 0;
        for (String id : ids) {
            int k = view.seek(id, j);
            if (k >= 0) {
                out.add(view.entry(k));
                j = k + 1;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- failures

    private void detectFailures(long now, List<GossipOutput> out) {
        if (!awaiting.isEmpty()) {
            List<String> silent = new ArrayList<>();
            for (Map.Entry<String, Long> a : awaiting.entrySet()) {
                if (now - a.getValue() > config.suspectAfterMillis()) {
                    silent.add(a.getKey());
                }
            }
            Collections.sort(silent);
            for (String p : silent) {
                int k = view.indexOf(p);
                if (k < 0 || !view.entry(k).status().isLive()) {
                    awaiting.remove(p);
                } else if (view.entry(k).status() == PeerStatus.ALIVE) {
                    PeerEntry e = view.entry(k);
                    view.set(k, e.withStatus(PeerStatus.SUSPECTED), now);
                    track(p, PeerStatus.SUSPECTED, now);
                    String id = "suspected:" + p + ":" + e.version();
                    // every peer that notices derives the same id, so the swarm spreads one rumor, not N
                    spreadNew(new Rumor(id, RumorKind.SUSPECTED, self, p, ""), now, out);
                }
            }
        }
        if (!suspectedSince.isEmpty()) {
            long grace = config.deadAfterMillis() - config.suspectAfterMillis();
            List<String> expired = new ArrayList<>();
            for (Map.Entry<String, Long> s : suspectedSince.entrySet()) {
                if (now - s.getValue() > grace) {
                    expired.add(s.getKey());
                }
            }
            Collections.sort(expired);
            for (String p : expired) {
                int k = view.indexOf(p);
                if (k >= 0 && view.entry(k).status() == PeerStatus.SUSPECTED) {
                    markDead(k, now);
                } else {
                    suspectedSince.remove(p);
                }
            }
        }
    }

    private void markDead(int k, long now) {
        PeerEntry e = view.entry(k);
        view.set(k, e.withStatus(PeerStatus.DEAD), now);
        track(e.peerId(), PeerStatus.DEAD, now);
        markMembership(e.peerId(), false);
    }

    private void purgeTombstones(long now) {
        if (tombstones.isEmpty()) {
            return;
        }
        List<String> old = new ArrayList<>();
        for (Map.Entry<String, Long> t : tombstones.entrySet()) {
            if (now - t.getValue() > config.tombstoneMillis()) {
                old.add(t.getKey());
            }
        }
        if (!old.isEmpty()) {
            Collections.sort(old);
            List<Integer> gone = new ArrayList<>();
            for (String id : old) {
                tombstones.remove(id);
                lastHeard.remove(id);
                int k = view.indexOf(id);
                if (k >= 0 && !view.entry(k).status().isLive()) {
                    gone.add(k);
                    purged.put(id, new long[] {view.entry(k).version(), now});
                }
            }
            gone.sort(null);
            view.remove(gone);
        }
        if (!purged.isEmpty()) {
            purged.values().removeIf(p -> now - p[1] > config.tombstoneMillis());
        }
    }

    // ---------------------------------------------------------------------------------------------- membership

    private void markMembership(String peer, boolean nowLive) {
        membershipDirty = true;
        lastViewChange = stepNow;
        (nowLive ? joined : departed).add(peer);
    }

    /**
     * Recomputes the live list and the links after membership changed. O(N), so a received message only marks the
     * membership dirty and this runs at the next round or query: during a boot of N peers every message brings new
     * peers, and recomputing per message made a round O(N^2) per peer.
     */
    private void refreshLive() {
        if (!membershipDirty) {
            return;
        }
        membershipDirty = false;
        List<String> l = new ArrayList<>();
        int dead = 0;
        for (int i = 0; i < view.size(); i++) {
            PeerStatus s = view.entry(i).status();
            if (s.isLive()) {
                l.add(view.id(i));
            } else if (s == PeerStatus.DEAD) {
                dead++;
            }
        }
        live = Collections.unmodifiableList(l);
        deadCount = dead;
        selfLive = selfEntry.status().isLive();
        SortedSet<String> newLinks = selfLive ? topology.linksOf(self, live) : Collections.emptySortedSet();
        if (!newLinks.equals(links)) {
            links = newLinks;
            linksPending = true;
        }
    }

    /** Brings the live list and links up to date and reports what changed since the last report. */
    private void flushMembership(long now, List<GossipOutput> out) {
        refreshLive();
        if (linksPending) {
            linksPending = false;
            out.add(new LinksChanged(links));
        }
        if (!joined.isEmpty() || !departed.isEmpty()) {
            out.add(new ViewChanged(List.copyOf(joined), List.copyOf(departed), live.size()));
            joined.clear();
            departed.clear();
        }
    }

    private boolean isDesignated() {
        return !live.isEmpty() && live.get(0).equals(self);
    }

    private List<String> choosePartners() {
        int fanout = config.fanout();
        List<String> chosen = new ArrayList<>(fanout);
        int others = live.size() - (selfLive ? 1 : 0);
        if (others <= 0) {
            // nobody known yet: bootstrap from the seeds
            List<String> pool = new ArrayList<>(seeds);
            while (chosen.size() < fanout && !pool.isEmpty()) {
                chosen.add(pool.remove(random.nextInt(pool.size())));
            }
            return chosen;
        }
        int fromLinks = fanout - config.randomPartners();
        if (fromLinks > 0 && !links.isEmpty()) {
            List<String> pool = new ArrayList<>(links);
            double[] weight = new double[pool.size()];
            for (int i = 0; i < weight.length; i++) {
                int k = view.indexOf(pool.get(i));
                // a floor keeps low-reputation links in play, just less often
                weight[i] = k >= 0 ? Math.max(0.05, view.entry(k).reputation()) : 0.05;
            }
            for (int pick = 0; pick < fromLinks && !pool.isEmpty(); pick++) {
                double total = 0;
                for (int i = 0; i < pool.size(); i++) {
                    total += weight[i];
                }
                double r = random.nextDouble() * total;
                int i = 0;
                while (i < pool.size() - 1 && (r -= weight[i]) >= 0) {
                    i++;
                }
                chosen.add(pool.get(i));
                int last = pool.size() - 1;
                pool.set(i, pool.get(last));
                weight[i] = weight[last];
                pool.remove(last);
            }
        }
        int want = Math.min(fanout, others);
        for (int attempts = 0; chosen.size() < want && attempts < 20 * fanout; attempts++) {
            String p = live.get(random.nextInt(live.size()));
            if (!p.equals(self) && !chosen.contains(p)) {
                chosen.add(p);
            }
        }
        return chosen;
    }

    /**
     * A partition that lasted past the failure timeout leaves each side believing the other dead, and nobody gossips
     * with the dead. So, like Cassandra, a round also contacts one DEAD peer with probability dead/(live+1), and a
     * seed with probability 1/(live+1); whichever side answers brings the other back.
     */
    private String chooseProbe(List<String> partners) {
        int liveCount = live.size();
        if (deadCount > 0 && random.nextDouble() < (double) deadCount / (liveCount + 1)) {
            List<String> dead = new ArrayList<>();
            for (String id : tombstones.keySet()) {
                int k = view.indexOf(id);
                if (k >= 0 && view.entry(k).status() == PeerStatus.DEAD) {
                    dead.add(id);
                }
            }
            if (!dead.isEmpty()) {
                Collections.sort(dead);
                return dead.get(random.nextInt(dead.size()));
            }
        }
        if (!seeds.isEmpty() && liveCount > 1 && random.nextDouble() < 1.0 / (liveCount + 1)) {
            String seed = seeds.get(random.nextInt(seeds.size()));
            return partners.contains(seed) ? null : seed;
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private void spreadNew(Rumor rumor, long now, List<GossipOutput> out) {
        if (rumors.accept(rumor, now)) {
            rumorsDelivered++;
            out.add(new RumorDelivered(rumor));
        }
    }

    private void send(String to, GossipMessage message, List<GossipOutput> out) {
        messagesSent++;
        out.add(new Send(to, message));
    }

    private void setSelf(PeerEntry e, long now) {
        selfEntry = e;
        view.set(view.indexOf(self), e, now);
    }

    private long nextDelay() {
        double factor = 1 + config.jitter() * (2 * random.nextDouble() - 1);
        return Math.max(1, Math.round(config.intervalMillis() * factor));
    }

    // ---------------------------------------------------------------------------------------------- queries

    public boolean isStarted() {
        return started;
    }

    public String selfId() {
        return self;
    }

    public GossipConfig config() {
        return config;
    }

    public PeerEntry selfEntry() {
        return selfEntry;
    }

    public Optional<PeerEntry> entry(String peer) {
        int k = view.indexOf(peer);
        return k >= 0 ? Optional.of(view.entry(k)) : Optional.empty();
    }

    /** Version of the entry for {@code peer}, or -1 when unknown. */
    public long versionOf(String peer) {
        int k = view.indexOf(peer);
        return k >= 0 ? view.entry(k).version() : -1;
    }

    /** The whole view, tombstones included, sorted by peer id. */
    public List<PeerEntry> view() {
        return view.entries();
    }

    /** Live peers (ALIVE or SUSPECTED), self included while live, sorted. */
    public List<String> livePeers() {
        refreshLive();
        return live;
    }

    public SortedSet<String> links() {
        refreshLive();
        return links;
    }

    /** The estimate of the last completed push-sum epoch (epoch -1 and NaN values before the first completes). */
    public AggregateEstimate estimate() {
        return pushSum.completed();
    }

    /** The estimate of the epoch in progress. */
    public AggregateEstimate currentEstimate() {
        return pushSum.current();
    }

    /** How many sends this peer will still spend on rumors it is spreading. */
    int rumorsSpreading() {
        return rumors.spreadingCount();
    }

    public int rumorRetransmitLimit() {
        return rumors.retransmitLimit(live.size());
    }

    /**
     * Counters and gauges. Connectivity is the share of this peer's overlay links heard from directly within half the
     * suspect timeout (1 with no links): the part of the swarm this peer can vouch for by itself; a swarm-wide figure
     * is the mean over peers.
     */
    public GossipMetrics metrics(long now) {
        refreshLive();
        int recent = 0;
        long window = config.suspectAfterMillis() / 2;
        for (String l : links) {
            Long at = lastHeard.get(l);
            if (at != null && now - at <= window) {
                recent++;
            }
        }
        double connectivity = links.isEmpty() ? 1.0 : (double) recent / links.size();
        int n = (int) Math.min(updateDelaysSeen, updateDelays.length);
        long[] recentDelays = java.util.Arrays.copyOf(updateDelays, n);
        java.util.Arrays.sort(recentDelays);
        return new GossipMetrics(rounds, messagesSent, messagesReceived, view.size(), live.size(), connectivity,
                now - lastViewChange, rumorsDelivered, n, n == 0 ? -1 : recentDelays[n / 2], n == 0 ? -1 : recentDelays[n - 1]);
    }

    @Override
    public String toString() {
        return "GossipCore[" + self + ", v" + (selfEntry == null ? "-" : selfEntry.version()) + ", live " + live.size() + "]";
    }

}

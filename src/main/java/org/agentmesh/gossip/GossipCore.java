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
 * Bump the own heartbeat (and version); mark peers whose version has not increased for {@code suspectAfterMillis}
 * SUSPECTED and after {@code deadAfterMillis} DEAD; drop tombstones older than {@code tombstoneMillis}; send a
 * {@link GossipMessage.Digest} to {@code fanout} partners (overlay links weighted by reputation, plus
 * {@code randomPartners} uniformly random live peers; seeds while no peer is known). The partner answers with a
 * {@link GossipMessage.Reply} (entries newer than the digest, ids it wants) and the initiator finishes with a
 * {@link GossipMessage.Push}.
 *
 * <h2>Versions</h2>
 * The own entry starts at version {@code max(1, now)} (an incarnation number: a restarted peer outranks everything
 * its previous life said, with no durable state) and grows by one per round and per update. Seeing its own entry
 * with a higher stamp (say, declared DEAD by others) makes a peer jump above it: the refutation.
 */
public final class GossipCore {

    private final String self;
    private final List<String> seeds;
    private final GossipConfig config;
    private final OverlayTopology topology;
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
            setSelf(new PeerEntry(self, e.version() + 1, e.heartbeat(), PeerEntry.sorted(u.capabilities()), u.load(),
                    u.reputation(), e.status(), e.links()), now);
        } else if (input instanceof ReportLatency l) {
            if (!(l.millis() >= 0) || Double.isInfinite(l.millis())) {
                throw new IllegalArgumentException("latency must be finite and >= 0, was " + l.millis());
            }
            latencyMillis = l.millis();
        } else if (input instanceof PeerFailed f) {
            int k = view.indexOf(f.peer());
            if (k >= 0 && !f.peer().equals(self)) {
                confirmedDead.put(f.peer(), now);
                if (view.entry(k).status().isLive()) {
                    markDead(k, now);
                }
            }
        } else if (input instanceof Publish p) {
            spreadNew(new Rumor(self + ":" + incarnation + ":" + (++customRumors), RumorKind.CUSTOM, self, self,
                    p.payload()), now, out);
        } else if (input instanceof Leave) {
            if (selfEntry.status() != PeerStatus.LEFT) {
                PeerEntry e = selfEntry;
                setSelf(new PeerEntry(self, e.version() + 1, e.heartbeat(), e.capabilities(), e.load(), e.reputation(),
                        PeerStatus.LEFT, e.links()), now);
                markMembership(self, false);
                spreadNew(new Rumor("left:" + self + ":" + selfEntry.version(), RumorKind.LEFT, self, self, ""), now, out);
            }
        } else {
            throw new IllegalArgumentException("unknown input " + input);
        }
        flushMembership(now, out);
        return out;
    }

    // ---------------------------------------------------------------------------------------------- inputs

    private void start(Start s, long now, List<GossipOutput> out) {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        incarnation = Math.max(1, now);
        selfEntry = new PeerEntry(self, incarnation, 0, PeerEntry.sorted(s.capabilities()), s.load(), s.reputation(),
                PeerStatus.ALIVE, Collections.emptySortedSet());
        view.insert(List.of(selfEntry), now);
        membershipDirty = true;
        lastViewChange = now;
        pushSum.begin(0, s.load(), latencyMillis, true);
        spreadNew(new Rumor("joined:" + self + ":" + incarnation, RumorKind.JOINED, self, self, ""), now, out);
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
            setSelf(new PeerEntry(self, e.version() + 1, e.heartbeat() + 1, e.capabilities(), e.load(), e.reputation(),
                    PeerStatus.ALIVE, links), now);
        }
        List<String> partners = choosePartners();
        List<String> ids = view.ids();
        long[] stamps = view.stampsCopy();
        if (!partners.isEmpty()) {
            PushSumShare share = pushSum.split(partners.size());
            for (String p : partners) {
                send(p, new GossipMessage.Digest(self, ids, stamps, rumors.takeForOneMessage(live.size()), share), out);
            }
        }
        String probe = chooseProbe(partners);
        if (probe != null) {
            // no push-sum mass to a peer that is probably gone
            PushSumShare none = new PushSumShare(pushSum.epoch(), 0, 0, 0, 0, 0);
            send(probe, new GossipMessage.Digest(self, ids, stamps, rumors.takeForOneMessage(live.size()), none), out);
        }
        out.add(new SetTimer(nextDelay()));
    }

    private void receive(GossipMessage message, long now, List<GossipOutput> out) {
        messagesReceived++;
        for (Rumor r : message.rumors()) {
            if (rumors.accept(r, now)) {
                rumorsDelivered++;
                out.add(new RumorDelivered(r));
            }
        }
        if (message instanceof GossipMessage.Digest d) {
            pushSum.absorb(d.share(), selfEntry.load(), latencyMillis, isDesignated());
            answer(d, out);
        } else if (message instanceof GossipMessage.Reply r) {
            merge(r.newer(), now);
            if (!r.wanted().isEmpty()) {
                List<PeerEntry> entries = entriesFor(r.wanted());
                if (!entries.isEmpty()) {
                    send(r.from(), new GossipMessage.Push(self, entries, rumors.takeForOneMessage(live.size())), out);
                }
            }
        } else if (message instanceof GossipMessage.Push p) {
            merge(p.entries(), now);
        }
    }

    // ---------------------------------------------------------------------------------------------- anti-entropy

    /** Reconciles a digest with the view in one merge over both sorted lists. */
    private void answer(GossipMessage.Digest d, List<GossipOutput> out) {
        List<String> peers = d.peers();
        long[] stamps = d.stamps();
        List<PeerEntry> newer = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        int n = peers.size();
        int m = view.size();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i == n) {
                newer.add(view.entry(j++));
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
            String b = view.id(j);
            int c = a == b ? 0 : a.compareTo(b);
            if (c == 0) {
                long mine = view.stamp(j);
                if (mine > stamps[i]) {
                    newer.add(view.entry(j));
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
                newer.add(view.entry(j++));
            }
        }
        List<Rumor> piggyback = rumors.takeForOneMessage(live.size());
        if (!newer.isEmpty() || !wanted.isEmpty() || !piggyback.isEmpty()) {
            send(d.from(), new GossipMessage.Reply(self, newer, wanted, piggyback), out);
        }
    }

    /** Whether an entry with this stamp could be taken in at all (not an old version of a purged tombstone). */
    private boolean accepts(String id, long stamp) {
        long[] p = purged.get(id);
        return p == null || (stamp >> 2) > p[0];
    }

    private void merge(List<PeerEntry> incoming, long now) {
        Map<String, PeerEntry> fresh = null;
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
                accept(k, e, now);
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
            view.insert(List.copyOf(fresh.values()), now);
            for (PeerEntry e : fresh.values()) {
                purged.remove(e.peerId());
                if (e.status().isLive()) {
                    markMembership(e.peerId(), true);
                }
            }
        }
    }

    private void accept(int k, PeerEntry e, long now) {
        if (e.stamp() <= view.stamp(k)) {
            return;
        }
        PeerEntry cur = view.entry(k);
        boolean wasLive = cur.status().isLive();
        boolean isLive = e.status().isLive();
        // the failure timeout runs from the last version increase; the tombstone period from the death
        long changed = e.version() > cur.version() || (wasLive && !isLive) ? now : view.changedAt(k);
        view.set(k, e, changed);
        if (wasLive != isLive) {
            markMembership(e.peerId(), isLive);
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
                s.load(), s.reputation(), status, s.links()), now);
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
        for (int i = 0; i < view.size(); i++) {
            PeerEntry e = view.entry(i);
            if (e.status() != PeerStatus.ALIVE && e.status() != PeerStatus.SUSPECTED || e.peerId().equals(self)) {
                continue;
            }
            long quiet = now - view.changedAt(i);
            if (quiet > config.deadAfterMillis()) {
                markDead(i, now);
            } else if (e.status() == PeerStatus.ALIVE && quiet > config.suspectAfterMillis()) {
                view.set(i, e.withStatus(PeerStatus.SUSPECTED), view.changedAt(i));
                String id = "suspected:" + e.peerId() + ":" + e.version();
                // every peer that notices derives the same id, so the swarm spreads one rumor, not N
                spreadNew(new Rumor(id, RumorKind.SUSPECTED, self, e.peerId(), ""), now, out);
            }
        }
    }

    private void markDead(int k, long now) {
        PeerEntry e = view.entry(k);
        view.set(k, e.withStatus(PeerStatus.DEAD), now);
        markMembership(e.peerId(), false);
    }

    private void purgeTombstones(long now) {
        List<Integer> gone = null;
        for (int i = 0; i < view.size(); i++) {
            PeerStatus s = view.entry(i).status();
            if ((s == PeerStatus.DEAD || s == PeerStatus.LEFT) && now - view.changedAt(i) > config.tombstoneMillis()
                    && !view.id(i).equals(self)) {
                if (gone == null) {
                    gone = new ArrayList<>();
                }
                gone.add(i);
                purged.put(view.id(i), new long[] {view.entry(i).version(), now});
            }
        }
        if (gone != null) {
            view.remove(gone);
        }
        if (!purged.isEmpty()) {
            purged.values().removeIf(p -> now - p[1] > config.tombstoneMillis());
        }
    }

    // ---------------------------------------------------------------------------------------------- membership

    private void markMembership(String peer, boolean nowLive) {
        membershipDirty = true;
        (nowLive ? joined : departed).add(peer);
    }

    private void flushMembership(long now, List<GossipOutput> out) {
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
            out.add(new LinksChanged(links));
        }
        if (!joined.isEmpty() || !departed.isEmpty()) {
            out.add(new ViewChanged(List.copyOf(joined), List.copyOf(departed), live.size()));
            joined.clear();
            departed.clear();
            lastViewChange = now;
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
            int target = random.nextInt(deadCount);
            for (int i = 0; i < view.size(); i++) {
                if (view.entry(i).status() == PeerStatus.DEAD && target-- == 0) {
                    return view.id(i);
                }
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
        return live;
    }

    public SortedSet<String> links() {
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

    public GossipMetrics metrics(long now) {
        int others = 0;
        int recent = 0;
        long window = config.suspectAfterMillis() / 2;
        for (int i = 0; i < view.size(); i++) {
            if (view.entry(i).status().isLive() && !view.id(i).equals(self)) {
                others++;
                if (now - view.changedAt(i) <= window) {
                    recent++;
                }
            }
        }
        double connectivity = others == 0 ? 1.0 : (double) recent / others;
        return new GossipMetrics(rounds, messagesSent, messagesReceived, view.size(), live.size(), connectivity,
                now - lastViewChange, rumorsDelivered);
    }

    @Override
    public String toString() {
        return "GossipCore[" + self + ", v" + (selfEntry == null ? "-" : selfEntry.version()) + ", live " + live.size() + "]";
    }

}

package org.agentmesh.failure;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.agentmesh.failure.FailureDetectorMessage.Ack;
import org.agentmesh.failure.FailureDetectorMessage.Gossip;
import org.agentmesh.failure.FailureDetectorMessage.Ping;
import org.agentmesh.failure.FailureDetectorMessage.PingReq;
import org.agentmesh.failure.FailureDetectorMessage.PingReqAnswer;

/**
 * One agent's failure detector: SWIM with Lifeguard refinements and quorum confirmation, as a pure state machine.
 *
 * <ul>
 *   <li>Every probe interval the agent pings each peer it watches (its overlay neighbours, an input, and its bridges:
 *       the agents it reaches through agents believed failed, see {@link #recomputeBridges}). A watched peer
 *       silent for {@code timeout} becomes SUSPECT; the agent floods the suspicion and sends ping-reqs to k helpers
 *       (other watchers of the peer first, then any live peer).
 *   <li>A helper answers "reached" as soon as it hears from the suspect, or "unreachable" (a confirmation) once it has
 *       heard nothing from it for a whole timeout. A ping-req from another watcher counts as an independent
 *       confirmation too.
 *   <li>The suspicion becomes FAILED only when confirmations reach the quorum (a majority of those that answered, at
 *       least one other agent) and the Lifeguard suspicion timeout, which shrinks with each confirmation, has run out.
 *       With no quorum, a new ping-req round starts every {@code suspicionMax}: an agent cut off from everyone never
 *       declares anyone failed.
 *   <li>A suspected (or failed) agent that hears of it raises its incarnation and floods ALIVE: the refutation. News
 *       about a peer is always piggybacked on messages to that peer, so it hears at the next probe.
 *   <li>A heartbeat digest on pings and acks gives positive, transitive evidence that far agents are alive; it feeds
 *       {@link ReachabilityChanged} (for the partition detector), and an agent believed down whose heartbeat advances
 *       gets the bad news re-flooded so that it refutes (needed after a partition heals).
 * </ul>
 *
 * <p>The shell feeds {@link OverlayChanged} (first, and whenever the overlay changes), every received message as
 * {@link Received}, and a {@link Tick} when a {@link SetTimer} falls due; it carries out {@link Send} and acts on the
 * notifications ({@link PeerFailed}: rumor, task re-dispatch, Raft/pBFT membership). Not thread-safe; one owner.
 */
public final class FailureDetectorCore {

    // ---- inputs

    public sealed interface Input permits OverlayChanged, Received, Tick {}

    /**
     * The swarm's overlay: for each agent, the peers it watches. Its keys are the known agents; this agent's entry is
     * the set it probes. Any agent watching a suspect is a preferred helper.
     */
    public record OverlayChanged(Map<String, Set<String>> watches) implements Input {
        public OverlayChanged {
            Map<String, Set<String>> copy = new TreeMap<>();
            watches.forEach((k, v) -> copy.put(k, Collections.unmodifiableSet(new TreeSet<>(v))));
            watches = Collections.unmodifiableMap(copy);
        }
    }

    /** A message from {@code from}. */
    public record Received(String from, FailureDetectorMessage message) implements Input {
        public Received {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(message, "message");
        }
    }

    /** A timer set by {@link SetTimer} is due (a spurious or late tick is harmless). */
    public record Tick() implements Input {}

    // ---- outputs

    public sealed interface Output permits Send, SetTimer, PeerSuspected, PeerFailed, PeerAlive, Refuted, ReachabilityChanged {}

    public record Send(String to, FailureDetectorMessage message) implements Output {}

    /** Call {@link #step} with a {@link Tick} at {@code atMillis}. */
    public record SetTimer(long atMillis) implements Output {}

    /** This agent now believes {@code peer} suspect (its own suspicion or one it heard of). */
    public record PeerSuspected(String peer, int incarnation, long atMillis, String suspectedBy) implements Output {}

    /** {@code peer} is declared failed: the shell starts recovery. {@code confirmations}: other agents that confirmed. */
    public record PeerFailed(String peer, int incarnation, long detectedAtMillis, int confirmations) implements Output {}

    /** {@code peer}, suspected or failed before, is alive at a higher incarnation (refuted, or rejoined). */
    public record PeerAlive(String peer, int incarnation, long atMillis, MemberStatus previously) implements Output {}

    /** This agent learned it was suspected or declared failed and refuted it with a new incarnation. */
    public record Refuted(int newIncarnation, long atMillis) implements Output {}

    /** Whether this agent has fresh evidence that {@code agent} is alive and not believed down. */
    public record ReachabilityChanged(String agent, boolean reachable, long atMillis) implements Output {}

    /**
     * Counters of this agent. {@code falseSuspicions}: suspicions this agent raised that ended in a refutation.
     * {@code confirmationsPerFailure} and {@code suspicionToFailureMillis}: one entry per failure this agent declared.
     * {@code staleClaimsIgnored}: SUSPECT/FAILED claims ignored because the member was seen alive long after their evidence.
     */
    public record Metrics(long suspicionsRaised, long falseSuspicions, long refutations, long failuresDeclared,
            long failuresLearned, List<Integer> confirmationsPerFailure, List<Long> suspicionToFailureMillis,
            long messagesSent, long staleClaimsIgnored) {}

    // ---- state

    private static final class Member {
        MemberStatus status = MemberStatus.ALIVE;
        int incarnation;
        String origin;
        int confirmations;
        /** the evidenceBeat of the current claim */
        long claimBeat = MemberUpdate.NO_BEAT;
        long lastHeard;
        long lastPinged = Long.MIN_VALUE;
        long beat = Long.MIN_VALUE;
        long beatSeenAt;
        long regossipedAt = Long.MIN_VALUE;
        boolean reportedReachable = true;
        int retransmitsLeft;

        Member(String origin, long now) {
            this.origin = origin;
            this.lastHeard = now;
            this.beatSeenAt = now;
        }

        MemberUpdate update(String member) {
            return new MemberUpdate(member, status, incarnation, origin, confirmations, claimBeat);
        }
    }

    private static final class Suspicion {
        final int incarnation;
        final long startedAt;
        long roundStartedAt;
        final Set<String> asked = new TreeSet<>();
        /** helper or independent suspecter -> true if it confirms (cannot reach), false if it reached the suspect */
        final Map<String, Boolean> votes = new TreeMap<>();

        Suspicion(int incarnation, long now) {
            this.incarnation = incarnation;
            this.startedAt = now;
            this.roundStartedAt = now;
        }

        int confirmations() {
            return (int) votes.values().stream().filter(v -> v).count();
        }
    }

    private record HelpRequest(String requester, long requestId, String target, long deadline) {}

    private final String self;
    private final FailureDetectorConfig config;
    private final RandomGenerator random;

    private final Map<String, Member> members = new TreeMap<>();
    private Map<String, Set<String>> overlay = Map.of();
    /** The peers this agent probes: those the overlay gives it, and its bridges. */
    private Set<String> watched = Set.of();
    private Set<String> overlayWatched = Set.of();
    /** The overlay's links, both ways: whom each agent watches or is watched by. */
    private Map<String, Set<String>> links = Map.of();
    /** Agents reached through agents believed failed only: see {@link #recomputeBridges}. */
    private Set<String> bridges = Set.of();
    private Set<String> overlayNeighbours = Set.of();
    private Set<String> neighbours = Set.of();
    private final Map<String, Suspicion> suspicions = new TreeMap<>();
    private final List<HelpRequest> helpRequests = new ArrayList<>();
    private int incarnation;
    private long nextProbeAt = Long.MAX_VALUE;
    private long timerAt = Long.MAX_VALUE;
    private long seq;
    private long beatSelf = Long.MIN_VALUE;
    private int selfRetransmitsLeft;

    private long suspicionsRaised;
    private long falseSuspicions;
    private long refutations;
    private long failuresDeclared;
    private long failuresLearned;
    private long messagesSent;
    private long staleClaimsIgnored;
    private final List<Integer> confirmationsPerFailure = new ArrayList<>();
    private final List<Long> suspicionToFailureMillis = new ArrayList<>();

    // per step
    private long now;
    private List<Output> out;
    private final List<MemberUpdate> flood = new ArrayList<>();

    public FailureDetectorCore(String self, FailureDetectorConfig config, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Feeds one input at {@code nowMillis}; returns what the shell must do, in order. */
    public List<Output> step(Input input, long nowMillis) {
        now = nowMillis;
        out = new ArrayList<>();
        flood.clear();
        String floodExcept = null;
        if (input instanceof OverlayChanged o) {
            onOverlay(o);
        } else if (input instanceof Received r) {
            onMessage(r.from(), r.message());
            floodExcept = r.from();
        } else {
            onTick();
        }
        checkDeadlines();
        for (String peer : List.copyOf(suspicions.keySet())) {
            evaluate(peer);
        }
        sendFlood(floodExcept);
        reportReachability();
        scheduleTimer();
        List<Output> result = out;
        out = null;
        return result;
    }

    // ---- queries (for the shell's status pages and for tests)

    public String self() {
        return self;
    }

    public int incarnation() {
        return incarnation;
    }

    public MemberStatus statusOf(String agent) {
        if (agent.equals(self)) {
            return MemberStatus.ALIVE;
        }
        Member m = members.get(agent);
        return m == null ? MemberStatus.ALIVE : m.status;
    }

    public int incarnationOf(String agent) {
        if (agent.equals(self)) {
            return incarnation;
        }
        Member m = members.get(agent);
        return m == null ? 0 : m.incarnation;
    }

    /** Whether this agent currently runs its own suspicion procedure against {@code peer}. */
    public boolean suspects(String peer) {
        return suspicions.containsKey(peer);
    }

    /** The agents this one links to through agents it believes failed (see {@link #recomputeBridges}). */
    Set<String> bridges() {
        return bridges;
    }

    public Metrics metrics() {
        return new Metrics(suspicionsRaised, falseSuspicions, refutations, failuresDeclared, failuresLearned,
                List.copyOf(confirmationsPerFailure), List.copyOf(suspicionToFailureMillis), messagesSent, staleClaimsIgnored);
    }

    // ---- inputs

    private void onOverlay(OverlayChanged o) {
        overlay = o.watches();
        Set<String> w = new TreeSet<>(overlay.getOrDefault(self, Set.of()));
        w.remove(self);
        w.retainAll(overlay.keySet());
        overlayWatched = Collections.unmodifiableSet(w);
        Map<String, Set<String>> both = new TreeMap<>();
        overlay.forEach((agent, peers) -> {
            for (String peer : peers) {
                if (!peer.equals(agent) && overlay.containsKey(peer)) {
                    both.computeIfAbsent(peer, x -> new TreeSet<>()).add(agent);
                    both.computeIfAbsent(agent, x -> new TreeSet<>()).add(peer);
                }
            }
        });
        links = both;
        // whom this agent watches and who watches it
        overlayNeighbours = Collections.unmodifiableSet(links.getOrDefault(self, Set.of()));
        for (String agent : overlay.keySet()) {
            if (!agent.equals(self)) {
                member(agent);
            }
        }
        members.keySet().removeIf(a -> !overlay.containsKey(a));
        for (String p : overlayWatched) {
            Member m = members.get(p);
            m.lastHeard = Math.max(m.lastHeard, now); // a newly watched peer gets a full timeout of grace
        }
        recomputeBridges();
        if (nextProbeAt == Long.MAX_VALUE) {
            // spread the agents' probe rounds over the interval instead of all pinging at once
            nextProbeAt = now + random.nextLong(config.probeIntervalMillis());
        }
    }

    private void onTick() {
        if (now >= timerAt) {
            timerAt = Long.MAX_VALUE;
        }
        checkDeadlines(); // first, so that this round's pings already carry a new suspicion to the suspect
        if (now >= nextProbeAt) {
            probeRound();
            while (nextProbeAt <= now) {
                nextProbeAt += config.probeIntervalMillis();
            }
        }
        for (Iterator<HelpRequest> it = helpRequests.iterator(); it.hasNext(); ) {
            HelpRequest h = it.next();
            if (now >= h.deadline()) {
                it.remove();
                send(h.requester(), new PingReqAnswer(h.requestId(), h.target(), false, incarnationOf(h.target()),
                        incarnation, piggyback(h.requester())));
            }
        }
        // a helper still waiting keeps probing, so one lost ping does not make it confirm
        for (HelpRequest h : helpRequests) {
            Member t = members.get(h.target());
            if (t != null && now - t.lastPinged >= config.probeIntervalMillis()) {
                ping(h.target());
            }
        }
    }

    private void probeRound() {
        beatSelf = Math.max(beatSelf + 1, now);
        for (String p : watched) {
            if (members.get(p).lastPinged != now) { // not twice in one instant (a new suspect was just pinged)
                ping(p);
            }
        }
    }

    private void ping(String peer) {
        Member m = members.get(peer);
        if (m != null) {
            m.lastPinged = now;
        }
        send(peer, new Ping(++seq, incarnation, piggyback(peer), beats(peer)));
    }

    private void onMessage(String from, FailureDetectorMessage message) {
        Member sender = from.equals(self) || !overlay.containsKey(from) ? null : member(from);
        if (sender != null) {
            sender.lastHeard = now;
            apply(new MemberUpdate(from, MemberStatus.ALIVE, message.incarnation(), from, 0));
        }
        for (MemberUpdate u : message.updates()) {
            apply(u);
        }
        if (message instanceof Ping p) {
            mergeBeats(from, p.beats());
            send(from, new Ack(p.seq(), incarnation, piggyback(from), beats(from)));
        } else if (message instanceof Ack a) {
            mergeBeats(from, a.beats());
        } else if (message instanceof PingReq r) {
            onPingReq(from, r);
        } else if (message instanceof PingReqAnswer a) {
            onAnswer(from, a);
        } // Gossip: its updates are all there is
        // the sender is alive now: answer every helper request about it
        for (Iterator<HelpRequest> it = helpRequests.iterator(); it.hasNext(); ) {
            HelpRequest h = it.next();
            if (h.target().equals(from)) {
                it.remove();
                send(h.requester(), new PingReqAnswer(h.requestId(), from, true, message.incarnation(), incarnation,
                        piggyback(h.requester())));
            }
        }
    }

    private void onPingReq(String from, PingReq r) {
        if (r.target().equals(self)) {
            // someone asks me about myself: I am alive; refute if needed
            apply(new MemberUpdate(self, MemberStatus.SUSPECT, r.targetIncarnation(), from, 0));
            send(from, new PingReqAnswer(r.requestId(), self, true, incarnation, incarnation, piggyback(from)));
            return;
        }
        if (!overlay.containsKey(r.target())) {
            return; // not a member of this swarm: nothing to probe
        }
        Member target = member(r.target());
        // a ping-req from another watcher is an independent suspicion of the same incarnation
        Suspicion mine = suspicions.get(r.target());
        if (mine != null && mine.incarnation == r.targetIncarnation()) {
            mine.votes.put(from, true);
        }
        // confirm only after a whole timeout of silence, at least helperMinWait after probing afresh; a helper that
        // does not watch the target has no running heartbeat with it, so its window starts now
        long silentSince = watched.contains(r.target()) ? Math.min(target.lastHeard, now) : now;
        long deadline = Math.max(now + config.helperMinWaitMillis(), silentSince + config.timeoutMillis());
        helpRequests.add(new HelpRequest(from, r.requestId(), r.target(), deadline));
        // tell the target it is suspected, so it refutes at once if alive
        List<MemberUpdate> news = new ArrayList<>(piggyback(r.target()));
        news.add(new MemberUpdate(r.target(), MemberStatus.SUSPECT, r.targetIncarnation(), from, 0, MemberUpdate.NO_BEAT));
        target.lastPinged = now;
        send(r.target(), new Ping(++seq, incarnation, news, beats(r.target())));
    }

    private void onAnswer(String from, PingReqAnswer a) {
        Suspicion s = suspicions.get(a.target());
        if (s == null) {
            return;
        }
        if (a.reached() && a.targetIncarnation() > s.incarnation) {
            // the helper saw the refutation: apply it (this cancels the suspicion)
            apply(new MemberUpdate(a.target(), MemberStatus.ALIVE, a.targetIncarnation(), a.target(), 0));
            return;
        }
        s.votes.put(from, !a.reached());
    }

    // ---- membership updates

    private Member member(String agent) {
        return members.computeIfAbsent(agent, a -> new Member(a, now));
    }

    private void apply(MemberUpdate u) {
        if (u.member().equals(self)) {
            if (u.status() != MemberStatus.ALIVE && u.incarnation() >= incarnation) {
                incarnation = u.incarnation() + 1;
                refutations++;
                out.add(new Refuted(incarnation, now));
                disseminate(new MemberUpdate(self, MemberStatus.ALIVE, incarnation, self, 0));
            }
            return;
        }
        if (!overlay.containsKey(u.member())) {
            return; // not (or no longer) a member of the swarm
        }
        Member m = member(u.member());
        if (u.status() != MemberStatus.ALIVE && u.evidenceBeat() != MemberUpdate.NO_BEAT && m.beat != Long.MIN_VALUE
                && m.beat - u.evidenceBeat() > config.livenessTimeoutMillis()) {
            // stale bad news (made on the other side of a partition that has healed): the member was alive long after
            // the evidence behind it. Do not adopt or spread it; tell the member, which refutes if the claim is current.
            if (regossipDue(m)) {
                m.regossipedAt = now;
                send(u.member(), new Gossip(incarnation, List.of(u)));
            }
            staleClaimsIgnored++;
            return;
        }
        if (u.status() == MemberStatus.SUSPECT && !u.origin().equals(self)) {
            Suspicion mine = suspicions.get(u.member());
            if (mine != null && mine.incarnation == u.incarnation()) {
                mine.votes.put(u.origin(), true);
            }
        }
        if (!u.overrides(m.status, m.incarnation)) {
            return;
        }
        MemberStatus before = m.status;
        m.status = u.status();
        m.incarnation = u.incarnation();
        m.origin = u.origin();
        m.confirmations = u.confirmations();
        m.claimBeat = u.evidenceBeat();
        switch (u.status()) {
            case ALIVE -> {
                if (before != MemberStatus.ALIVE) {
                    out.add(new PeerAlive(u.member(), u.incarnation(), now, before));
                }
                if (suspicions.remove(u.member()) != null) {
                    falseSuspicions++;
                }
                m.lastHeard = Math.max(m.lastHeard, now); // a fresh timeout for the refuted incarnation
            }
            case SUSPECT -> out.add(new PeerSuspected(u.member(), u.incarnation(), now, u.origin()));
            case FAILED -> {
                suspicions.remove(u.member());
                failuresLearned++;
                out.add(new PeerFailed(u.member(), u.incarnation(), now, u.confirmations()));
            }
        }
        if ((before == MemberStatus.FAILED) != (u.status() == MemberStatus.FAILED)) {
            recomputeBridges();
        }
        disseminate(m.update(u.member()));
    }

    /** Queues {@code u} for piggybacking and floods it to the overlay neighbours at the end of this step. */
    private void disseminate(MemberUpdate u) {
        if (!u.member().equals(self)) {
            members.get(u.member()).retransmitsLeft = retransmits();
        } else {
            selfRetransmitsLeft = retransmits();
        }
        flood.add(u);
    }

    private int retransmits() {
        int n = Math.max(1, overlay.size());
        return config.retransmitMultiplier() * (32 - Integer.numberOfLeadingZeros(n));
    }

    private void sendFlood(String except) {
        if (flood.isEmpty()) {
            return;
        }
        List<MemberUpdate> news = List.copyOf(flood);
        flood.clear();
        for (String n : neighbours) {
            if (!n.equals(except)) {
                send(n, new Gossip(incarnation, news));
            }
        }
    }

    /**
     * Updates to piggyback on a message to {@code to}: bad news about the recipient itself first (so it can refute),
     * then the updates with the most retransmissions left.
     */
    private List<MemberUpdate> piggyback(String to) {
        List<MemberUpdate> result = new ArrayList<>();
        Member about = members.get(to);
        if (about != null && about.status != MemberStatus.ALIVE) {
            result.add(about.update(to));
        }
        if (selfRetransmitsLeft > 0) {
            selfRetransmitsLeft--;
            result.add(new MemberUpdate(self, MemberStatus.ALIVE, incarnation, self, 0));
        }
        List<Map.Entry<String, Member>> pending = new ArrayList<>();
        for (Map.Entry<String, Member> e : members.entrySet()) {
            if (e.getValue().retransmitsLeft > 0 && !e.getKey().equals(to)) {
                pending.add(e);
            }
        }
        pending.sort((a, b) -> Integer.compare(b.getValue().retransmitsLeft, a.getValue().retransmitsLeft));
        for (int i = 0; i < pending.size() && result.size() < config.maxPiggyback() + 1; i++) {
            Member m = pending.get(i).getValue();
            m.retransmitsLeft--;
            result.add(m.update(pending.get(i).getKey()));
        }
        return result;
    }

    /** At most one direct word to a member about its own state per probe interval (never told: due). */
    private boolean regossipDue(Member m) {
        return m.regossipedAt == Long.MIN_VALUE || now - m.regossipedAt >= config.probeIntervalMillis();
    }

    // ---- heartbeat digest

    /**
     * The digest for a message to {@code to}: every heartbeat this agent knows, except to a bridge, which gets only this
     * agent's own. Heartbeats travel the overlay's links only: a bridge joins parts of the overlay that a partition or
     * a crash separated, and would bring each part the other's last heartbeats as fresh news, long after they were
     * beaten (the receiver dates a heartbeat by when it first sees it), keeping a minority believing in a majority.
     */
    private Map<String, Long> beats(String to) {
        Map<String, Long> digest = new LinkedHashMap<>();
        if (beatSelf != Long.MIN_VALUE) {
            digest.put(self, beatSelf);
        }
        if (bridges.contains(to)) {
            return digest;
        }
        members.forEach((a, m) -> {
            if (m.beat != Long.MIN_VALUE) {
                digest.put(a, m.beat);
            }
        });
        return digest;
    }

    private void mergeBeats(String from, Map<String, Long> digest) {
        boolean bridge = bridges.contains(from);
        digest.forEach((agent, beat) -> {
            if (bridge && !agent.equals(from)) {
                return; // see beats(String): from a bridge only its own heartbeat counts
            }
            Member m = agent.equals(self) ? null : members.get(agent);
            if (m == null || beat <= m.beat) {
                return;
            }
            m.beat = beat;
            m.beatSeenAt = now;
            // alive evidence about an agent we believe down: tell it (only it, so that a stale verdict from a healed
            // partition does not spread to agents that rightly believe it alive), and it refutes
            if (m.status != MemberStatus.ALIVE && !suspicions.containsKey(agent)
                    && regossipDue(m)) {
                m.regossipedAt = now;
                send(agent, new Gossip(incarnation, List.of(m.update(agent))));
            }
        });
    }

    // ---- bridges

    /**
     * Most bridges one agent keeps, nearest first: enough to reconnect the few agents around a crashed node (the overlay
     * gives each 3-5 neighbours), and a bound on the probes of a minority whose other side is all believed failed.
     */
    static final int MAX_BRIDGES = 8;

    /**
     * The overlay keeps the live agents connected only while no cut of it has failed: with 4 of 9 agents on one crashed
     * node, an agent whose three neighbours all lived there was watched by nobody and stayed ALIVE everywhere, and a
     * failure declared on one side of the dead agents never reached the other. So each agent also links to the agents
     * it reaches in the overlay through agents it believes failed only (its bridges): it probes them and floods to them
     * as if the overlay linked them, until the agents in between are believed alive again. Bridging keeps the live
     * agents connected whenever the overlay with the failed agents was. A new bridge is pinged at once and told every
     * failure this agent knows of (one declared before the link existed would not reach it otherwise: an agent whose
     * neighbours all crashed learnt nothing since); if it does not answer within one probe interval
     * (or was already silent for longer, by its heartbeat) it is suspected, and its quorum of confirmations is still
     * required. Heartbeats do not cross bridges (see {@link #beats(String)}).
     */
    private void recomputeBridges() {
        Set<String> next = new TreeSet<>();
        Set<String> seen = new TreeSet<>(Set.of(self));
        ArrayDeque<String> through = new ArrayDeque<>(List.of(self));
        while (!through.isEmpty() && next.size() < MAX_BRIDGES) { // breadth first: the nearest ones
            for (String y : links.getOrDefault(through.poll(), Set.of())) {
                if (!seen.add(y)) {
                    continue;
                }
                if (statusOf(y) == MemberStatus.FAILED) {
                    through.add(y);
                } else if (!overlayNeighbours.contains(y) && next.size() < MAX_BRIDGES) {
                    next.add(y);
                }
            }
        }
        Set<String> added = new TreeSet<>(next);
        added.removeAll(bridges);
        bridges = Collections.unmodifiableSet(next);
        Set<String> w = new TreeSet<>(overlayWatched);
        w.addAll(bridges);
        watched = Collections.unmodifiableSet(w);
        Set<String> n = new TreeSet<>(overlayNeighbours);
        n.addAll(bridges);
        neighbours = Collections.unmodifiableSet(n);
        suspicions.keySet().removeIf(p -> !watched.contains(p));
        if (added.isEmpty()) {
            return;
        }
        // the failures declared before this link existed: the news flooded then has stopped travelling. Told at once,
        // and piggybacked again for a while (the one message may be lost)
        List<MemberUpdate> failed = new ArrayList<>();
        members.forEach((a, m) -> {
            if (m.status == MemberStatus.FAILED) {
                failed.add(m.update(a));
                m.retransmitsLeft = Math.max(m.retransmitsLeft, retransmits());
            }
        });
        for (String b : added) {
            Member m = members.get(b);
            long answerWindowStart = now - config.timeoutMillis() + config.probeIntervalMillis();
            m.lastHeard = Math.max(m.lastHeard, Math.max(m.beatSeenAt, answerWindowStart));
            ping(b);
            send(b, new Gossip(incarnation, failed));
        }
    }

    // ---- suspicion

    private void checkDeadlines() {
        for (String p : watched) {
            Member m = members.get(p);
            if (m.status != MemberStatus.FAILED && !suspicions.containsKey(p)
                    && now >= m.lastHeard + config.timeoutMillis()) {
                startSuspicion(p, m);
            }
        }
    }

    private void startSuspicion(String peer, Member m) {
        suspicionsRaised++;
        Suspicion s = new Suspicion(m.incarnation, now);
        suspicions.put(peer, s);
        apply(new MemberUpdate(peer, MemberStatus.SUSPECT, m.incarnation, self, 0, m.beat));
        // agents that already told us they suspect it count as independent confirmations
        askHelpers(peer, s);
        ping(peer);
    }

    private void askHelpers(String peer, Suspicion s) {
        List<String> watchers = new ArrayList<>();
        overlay.forEach((agent, peers) -> {
            // a watcher believed failed would never answer, and taking its place it would keep the others from being asked
            if (peers.contains(peer) && !agent.equals(self) && !agent.equals(peer)
                    && statusOf(agent) != MemberStatus.FAILED) {
                watchers.add(agent);
            }
        });
        List<String> helpers = pick(watchers, config.indirectProbes());
        if (helpers.size() < config.indirectProbes()) {
            List<String> others = new ArrayList<>();
            for (Map.Entry<String, Member> e : members.entrySet()) {
                String a = e.getKey();
                if (!a.equals(peer) && !helpers.contains(a) && e.getValue().status == MemberStatus.ALIVE) {
                    others.add(a);
                }
            }
            helpers.addAll(pick(others, config.indirectProbes() - helpers.size()));
        }
        s.roundStartedAt = now;
        long requestId = ++seq;
        for (String h : helpers) {
            s.asked.add(h);
            send(h, new PingReq(requestId, peer, s.incarnation, incarnation, piggyback(h)));
        }
    }

    private List<String> pick(List<String> from, int count) {
        List<String> copy = new ArrayList<>(from);
        List<String> chosen = new ArrayList<>();
        while (!copy.isEmpty() && chosen.size() < count) {
            chosen.add(copy.remove(random.nextInt(copy.size())));
        }
        return chosen;
    }

    private void evaluate(String peer) {
        Suspicion s = suspicions.get(peer);
        if (s == null) {
            return; // ended by an earlier evaluation in this step (a failure can change what this agent watches)
        }
        int confirmations = s.confirmations();
        long timeout = config.suspicionTimeout(confirmations, s.asked.size());
        if (confirmations >= config.quorum(s.votes.size()) && now >= s.startedAt + timeout) {
            declareFailed(peer, s, confirmations);
        } else if (now >= s.roundStartedAt + config.suspicionMaxMillis()) {
            askHelpers(peer, s); // no quorum yet (cut off, or answers lost): ask again, keep the votes
        }
    }

    private void declareFailed(String peer, Suspicion s, int confirmations) {
        suspicions.remove(peer);
        failuresDeclared++;
        confirmationsPerFailure.add(confirmations);
        suspicionToFailureMillis.add(now - s.startedAt);
        apply(new MemberUpdate(peer, MemberStatus.FAILED, s.incarnation, self, confirmations, members.get(peer).beat));
    }

    private long nextSuspicionCheck(Suspicion s) {
        long lifeguard = s.startedAt + config.suspicionTimeout(s.confirmations(), s.asked.size());
        long roundEnd = s.roundStartedAt + config.suspicionMaxMillis();
        // past the Lifeguard timeout only a new vote (a message, hence a step) can change the outcome: wait for the round end
        return lifeguard > now ? Math.min(lifeguard, roundEnd) : roundEnd;
    }

    // ---- reachability and timers

    private void reportReachability() {
        for (Map.Entry<String, Member> e : members.entrySet()) {
            Member m = e.getValue();
            boolean reachable = m.status == MemberStatus.ALIVE && now - m.beatSeenAt <= config.livenessTimeoutMillis();
            if (reachable != m.reportedReachable) {
                m.reportedReachable = reachable;
                out.add(new ReachabilityChanged(e.getKey(), reachable, now));
            }
        }
    }

    private void scheduleTimer() {
        long next = nextProbeAt;
        for (String p : watched) {
            Member m = members.get(p);
            if (m.status != MemberStatus.FAILED && !suspicions.containsKey(p)) {
                next = Math.min(next, m.lastHeard + config.timeoutMillis());
            }
        }
        for (Suspicion s : suspicions.values()) {
            next = Math.min(next, nextSuspicionCheck(s));
        }
        for (HelpRequest h : helpRequests) {
            next = Math.min(next, h.deadline());
        }
        next = Math.max(next, now + 1);
        if (next < timerAt || timerAt <= now) {
            timerAt = next;
            out.add(new SetTimer(next));
        }
    }

    private void send(String to, FailureDetectorMessage message) {
        messagesSent++;
        out.add(new Send(to, message));
    }
}

package org.agentmesh.gossip;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor shell of one agent's gossip: a Cluster Sharding entity (id {@code swarmId:agentId}) that drives a
 * {@link GossipCore} with timer ticks and {@link Envelope}s from the other members of its swarm, and carries out what
 * the core asks (send, set the timer).
 *
 * <p>Nothing is persisted and sharding does not remember members: the agent entity wakes its member when it starts or
 * recovers, and any envelope wakes it too. A woken member asks its {@link Environment} for the agent's profile (still
 * active? capabilities, the swarm's members as seeds), then starts the core; messages that arrive meanwhile wait.
 * After a move to another node it starts as a new incarnation, which outranks what its previous life said.
 *
 * <p>Each round it also samples its worker's load ((running + queued) / capacity) and the share of its attempts that
 * succeeded (advertised as reputation), and feeds them to the core when they changed. Its latest view is published
 * to the node's {@link GossipViews} after every step, so readers on this node need no message round trip.
 * A member told to {@link Leave} spreads its LEFT entry for {@code leaveRounds} rounds, then passivates.
 */
public final class GossipMember extends AbstractBehavior<GossipMember.Command> {

    private static final Logger log = LoggerFactory.getLogger(GossipMember.class);

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "GossipMember");

    public static String entityId(String swarmId, String agentId) {
        return swarmId + ":" + agentId;
    }

    /** What the shell needs from the layers above: the agent's profile and its worker's load. */
    public interface Environment {
        CompletionStage<Profile> profile(String swarmId, String agentId);

        CompletionStage<LoadSample> load(String swarmId, String agentId);
    }

    /** An agent as recorded: whether it is an active member, what it can do, and the swarm's members (the seeds). */
    public record Profile(boolean active, List<String> capabilities, List<String> members) implements CborSerializable {}

    /** @param load (running + queued) / capacity; @param reputation share of succeeded attempts, 0.5 before any */
    public record LoadSample(double load, double reputation) implements CborSerializable {}

    // ---- protocol

    public sealed interface Command extends CborSerializable {}

    /** Start gossiping if not yet started (sent by the agent entity when it starts or recovers). */
    public record Wake() implements Command {}

    /** One gossip message between two members of a swarm. */
    public record Envelope(String swarmId, String from, String to, GossipMessage message) implements Command {
        public Envelope {
            Objects.requireNonNull(swarmId, "swarmId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The agent's capabilities changed (persisted by the agent entity first). */
    public record SetCapabilities(List<String> capabilities) implements Command {}

    /** A failure detector confirmed {@code agentId} dead: spread it (rumor, pushed DEAD entry) and replace links to it. */
    public record PeerFailed(String agentId) implements Command {}

    /** The failure detector found {@code agentId} alive again (refuted or restarted): its live entries count again. */
    public record PeerAlive(String agentId) implements Command {}

    /**
     * topology_optimize: re-plan the overlay with {@code minLinks..maxLinks} links per agent (kept until the member
     * restarts, which brings back the configured overlay); answers with the view afterwards.
     */
    public record Replan(int minLinks, int maxLinks, ActorRef<View> replyTo) implements Command {}

    /** The agent left or retired: advertise LEFT, then stop. */
    public record Leave() implements Command {}

    public record GetView(ActorRef<View> replyTo) implements Command {}

    /**
     * One member's view: every peer entry it holds (tombstones included), its push-sum estimates and its own counters.
     * {@code started} is false while the member is still fetching its profile.
     */
    public record View(String swarmId, String agentId, boolean started, List<PeerEntry> peers, AggregateEstimate estimate,
            Stats stats, long atMillis) implements CborSerializable {}

    /**
     * @param messagesPerSecond     sent + received over the last (up to) ten rounds
     * @param connectivity          share of the agent's overlay links heard from within half the suspect timeout
     * @param millisSinceViewChange since the set of live peers last changed here
     */
    /** See {@link GossipMetrics}; the update delays are -1 before any update with a known time of change arrived. */
    public record Stats(long rounds, long messagesSent, long messagesReceived, double messagesPerSecond, int knownPeers,
            int livePeers, double connectivity, long millisSinceViewChange, long updateDelayMillisP50,
            long updateDelayMillisMax) implements CborSerializable {

        /** A member that has not started. */
        public static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, 0, 0, -1, -1);
    }

    record Round() implements Command {}

    record Booted(Profile profile) implements Command {}

    record BootFailed(String reason) implements Command {}

    record LoadSampled(LoadSample sample) implements Command {}

    record ProfileRefreshed(Profile profile) implements Command {}

    // ---- behaviour

    public static Behavior<Command> create(String entityId, ActorRef<ClusterSharding.ShardCommand> shard, Environment environment,
            GossipSettings settings, GossipViews views) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new GossipMember(ctx, timers, entityId, shard, environment,
                settings, views)));
    }

    private static final String ROUND = "round";
    private static final int MAX_WAITING = 1_000;
    private static final int MAX_BOOT_ATTEMPTS = 10;
    /** Every this many rounds a member re-reads its agent's recorded capabilities. */
    static final int PROFILE_REFRESH_ROUNDS = 10;

    private final TimerScheduler<Command> timers;
    private final String swarmId;
    private final String agentId;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final Environment environment;
    private final GossipSettings settings;
    private final GossipViews views;
    private final ClusterSharding sharding;
    private final List<Command> waiting = new ArrayList<>();
    /** (time, sent + received) at the last rounds, for the message rate. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    private GossipCore core;
    private boolean booting;
    private int bootAttempts;
    private List<String> capabilities = List.of();
    private double load;
    private double reputation = 0.5;
    private int leaveRoundsLeft = -1;

    private GossipMember(ActorContext<Command> ctx, TimerScheduler<Command> timers, String entityId,
            ActorRef<ClusterSharding.ShardCommand> shard, Environment environment, GossipSettings settings, GossipViews views) {
        super(ctx);
        this.timers = timers;
        this.swarmId = entityId.substring(0, entityId.indexOf(':'));
        this.agentId = entityId.substring(entityId.indexOf(':') + 1);
        this.shard = shard;
        this.environment = environment;
        this.settings = settings;
        this.views = views;
        this.sharding = ClusterSharding.get(ctx.getSystem());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wake.class, w -> {
                    boot();
                    return this;
                })
                .onMessage(Booted.class, this::onBooted)
                .onMessage(BootFailed.class, f -> {
                    booting = false;
                    if (++bootAttempts >= MAX_BOOT_ATTEMPTS) {
                        log.warn("gossip member {}:{} gives up starting: {}", swarmId, agentId, f.reason());
                        passivate();
                    } else {
                        timers.startSingleTimer("boot", new Wake(), Duration.ofSeconds(1));
                    }
                    return this;
                })
                .onMessage(GetView.class, g -> {
                    g.replyTo().tell(view());
                    return this;
                })
                .onMessage(Envelope.class, this::onEnvelope)
                .onMessage(SetCapabilities.class, this::onSetCapabilities)
                .onMessage(Leave.class, this::onLeave)
                .onMessage(Round.class, r -> onRound())
                .onMessage(LoadSampled.class, this::onLoadSampled)
                .onMessage(ProfileRefreshed.class, this::onProfileRefreshed)
                .onMessage(PeerFailed.class, f -> {
                    if (started(f)) {
                        step(new GossipInput.PeerFailed(f.agentId()));
                    }
                    return this;
                })
                .onMessage(PeerAlive.class, a -> {
                    if (started(a)) {
                        step(new GossipInput.PeerAlive(a.agentId()));
                    }
                    return this;
                })
                .onMessage(Replan.class, r -> {
                    if (started(r)) {
                        step(new GossipInput.Replan(new MeshOverlay(r.minLinks(), r.maxLinks())));
                        r.replyTo().tell(view());
                    }
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    views.remove(swarmId, agentId);
                    return this;
                })
                .build();
    }

    private void boot() {
        if (core != null || booting) {
            return;
        }
        booting = true;
        getContext().pipeToSelf(environment.profile(swarmId, agentId),
                (profile, error) -> error == null ? new Booted(profile) : new BootFailed(String.valueOf(error)));
    }

    private Behavior<Command> onBooted(Booted b) {
        booting = false;
        if (core != null) {
            return this;
        }
        if (!b.profile().active()) {
            // woken by a stray message for an agent that is gone: nothing to gossip about
            passivate();
            return this;
        }
        capabilities = b.profile().capabilities();
        core = new GossipCore(agentId, b.profile().members(), settings.core(), new SplittableRandom());
        step(new GossipInput.Start(java.util.Set.copyOf(capabilities), load, reputation));
        log.debug("gossip member {}:{} started with {} seeds", swarmId, agentId, b.profile().members().size());
        List<Command> replay = List.copyOf(waiting);
        waiting.clear();
        replay.forEach(getContext().getSelf()::tell);
        return this;
    }

    /** Keeps a message for after the start; false when it was kept. */
    private boolean started(Command c) {
        if (core != null) {
            return true;
        }
        if (waiting.size() < MAX_WAITING) {
            waiting.add(c);
        }
        boot();
        return false;
    }

    private Behavior<Command> onEnvelope(Envelope e) {
        if (!e.swarmId().equals(swarmId) || !e.to().equals(agentId)) {
            log.warn("gossip member {}:{} got an envelope for {}:{}", swarmId, agentId, e.swarmId(), e.to());
            return this;
        }
        if (started(e)) {
            step(new GossipInput.Receive(e.from(), e.message()));
        }
        return this;
    }

    private Behavior<Command> onSetCapabilities(SetCapabilities s) {
        if (started(s)) {
            capabilities = List.copyOf(s.capabilities());
            step(new GossipInput.Update(java.util.Set.copyOf(capabilities), load, reputation));
        }
        return this;
    }

    private Behavior<Command> onLeave(Leave l) {
        if (core == null) {
            passivate();
            return this;
        }
        if (leaveRoundsLeft < 0) {
            leaveRoundsLeft = settings.leaveRounds();
            step(new GossipInput.Leave());
        }
        return this;
    }

    private Behavior<Command> onRound() {
        if (core == null) {
            return this;
        }
        step(new GossipInput.Tick());
        GossipMetrics m = core.metrics(now());
        samples.addLast(new long[] {now(), m.messagesSent() + m.messagesReceived()});
        if (samples.size() > 11) {
            samples.removeFirst();
        }
        if (leaveRoundsLeft >= 0) {
            if (leaveRoundsLeft-- == 0) {
                passivate();
            }
            return this;
        }
        getContext().pipeToSelf(environment.load(swarmId, agentId), (sample, error) -> error == null
                ? new LoadSampled(sample) : new LoadSampled(new LoadSample(load, reputation)));
        if (core.metrics(now()).rounds() % PROFILE_REFRESH_ROUNDS == 0) {
            // SetCapabilities is told, not asked: should one be lost (the member moving to another node), the
            // recorded profile still reaches the view within a few rounds
            getContext().pipeToSelf(environment.profile(swarmId, agentId),
                    (profile, error) -> error == null ? new ProfileRefreshed(profile) : new LoadSampled(new LoadSample(load, reputation)));
        }
        return this;
    }

    private Behavior<Command> onProfileRefreshed(ProfileRefreshed r) {
        if (core != null && leaveRoundsLeft < 0 && r.profile().active()
                && !java.util.Set.copyOf(r.profile().capabilities()).equals(java.util.Set.copyOf(capabilities))) {
            capabilities = List.copyOf(r.profile().capabilities());
            step(new GossipInput.Update(java.util.Set.copyOf(capabilities), load, reputation));
        }
        return this;
    }

    private Behavior<Command> onLoadSampled(LoadSampled s) {
        LoadSample sample = s.sample();
        if (core != null && leaveRoundsLeft < 0 && (sample.load() != load || sample.reputation() != reputation)) {
            load = sample.load();
            reputation = sample.reputation();
            step(new GossipInput.Update(java.util.Set.copyOf(capabilities), load, reputation));
        }
        return this;
    }

    private void step(GossipInput input) {
        for (GossipOutput out : core.step(input, now())) {
            if (out instanceof GossipOutput.Send send) {
                sharding.entityRefFor(TYPE_KEY, entityId(swarmId, send.to()))
                        .tell(new Envelope(swarmId, agentId, send.to(), send.message()));
            } else if (out instanceof GossipOutput.SetTimer t) {
                timers.startSingleTimer(ROUND, new Round(), Duration.ofMillis(t.delayMillis()));
            } else if (out instanceof GossipOutput.ViewChanged v) {
                log.debug("gossip {}:{} view: +{} -{} ({} live)", swarmId, agentId, v.joined(), v.departed(), v.livePeers());
            }
        }
        views.publish(view());
    }

    private View view() {
        long now = now();
        if (core == null) {
            return new View(swarmId, agentId, false, List.of(), new AggregateEstimate(-1, 0, 0, 0, false),
                    Stats.NONE, now);
        }
        GossipMetrics m = core.metrics(now);
        double rate = 0;
        if (samples.size() >= 2) {
            long[] first = samples.getFirst();
            long[] last = samples.getLast();
            rate = last[0] > first[0] ? (last[1] - first[1]) * 1000.0 / (last[0] - first[0]) : 0;
        }
        return new View(swarmId, agentId, true, core.view(), core.estimate(), new Stats(m.rounds(), m.messagesSent(),
                m.messagesReceived(), rate, m.knownPeers(), m.livePeers(), m.connectivity(), m.millisSinceViewChange(),
                m.updateDelayMillisP50(), m.updateDelayMillisMax()), now);
    }

    private void passivate() {
        timers.cancelAll();
        shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}

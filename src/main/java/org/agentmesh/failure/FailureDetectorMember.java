package org.agentmesh.failure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.agentmesh.gossip.GossipConfig;
import org.agentmesh.gossip.MeshOverlay;
import org.agentmesh.metrics.MeshMetrics;
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

/**
 * The failure detector and partition detector of one agent: a Cluster Sharding entity keyed {@code swarmId:agentId}
 * (remembered, so it comes back on another node when its node dies) that drives a {@link FailureDetectorCore} and a
 * {@link PartitionDetectorCore}. It watches the agent's neighbours in the swarm's {@link MeshOverlay}; its messages
 * travel as {@link Deliver} envelopes through sharding.
 *
 * <p>Its state is soft: after a move it starts at incarnation 0, hears that it was declared failed, and refutes with a
 * higher incarnation (the rejoin). Changes of a peer's status go to the {@link PeerEvents} of the layers above: a failure
 * this agent declared starts recovery. Its partition mode is published on the node's {@link PartitionBoard}, which the
 * write guard reads; its measurements are counted in the node's {@link MeshMetrics}.
 */
public final class FailureDetectorMember extends AbstractBehavior<FailureDetectorMember.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "FailureDetector");

    public static String entityId(String swarmId, String agentId) {
        return swarmId + ":" + agentId;
    }

    // ---- protocol

    public sealed interface Command extends CborSerializable {}

    /** Wakes the member up (idempotent); the swarm sends it when it starts its agents. */
    public record Start(String swarmId) implements Command {}

    /**
     * The swarm shut down: the member stops, passivated through its shard so that remember-entities forgets it (else it
     * would watch retired agents forever, and come back with every restart).
     */
    public record Stop() implements Command {}

    /** A failure detector message from agent {@code from} of the same swarm. */
    public record Deliver(String from, FailureDetectorMessage message) implements Command {}

    public record GetReport(ActorRef<Report> replyTo) implements Command {}

    /**
     * The swarm's members arrived, or could not be read ({@code error} non-empty); {@code swarmGone}: the swarm does
     * not exist (it shut down, or a late message woke this member after its {@link Stop}).
     */
    record Members(List<String> agents, String error, boolean swarmGone) implements Command {}

    record Wake() implements Command {}

    record PartitionWake() implements Command {}

    /** A failure this agent learned or declared; {@code detectionMillis}: from the last message heard from the peer. */
    public record Detection(String peer, long failedAtMillis, long detectionMillis, int confirmations, boolean declaredHere)
            implements CborSerializable {}

    public record ModeChange(String mode, long atMillis, int reachable, int known) implements CborSerializable {}

    /** What this agent believes and has measured. {@code peers}: status of each other agent as this one sees it. */
    public record Report(String swarmId, String agentId, String node, String mode, int reachable, int known, int needed,
            long modeSinceMillis, int incarnation, Map<String, String> peers, long suspicionsRaised, long falseSuspicions,
            long refutations, long failuresDeclared, long failuresLearned, List<Integer> confirmationsPerFailure,
            List<Detection> detections, int partitions, List<Long> recoveryMillis, List<ModeChange> modeChanges)
            implements CborSerializable {}

    /** What the layers above do when this agent's view of a peer changes. */
    public interface PeerEvents {
        /** This agent declared {@code agentId} failed (a quorum confirmed): recover. Several agents may declare one failure. */
        void declaredFailed(String swarmId, String agentId);

        /** This agent learned from another that {@code agentId} failed. */
        void learnedFailed(String swarmId, String agentId);

        /** {@code agentId}, held failed, was seen alive again (it refuted the verdict or restarted). */
        void alive(String swarmId, String agentId);
    }

    /** What the member needs from the layers above it. */
    public record Hooks(Function<String, CompletionStage<List<String>>> membersOf,
            java.util.function.Predicate<Throwable> swarmGone, PeerEvents peers,
            PartitionBoard board, FailureSettings settings, String node, MeshMetrics metrics) {}

    /** The sharded entity: {@code shard} is told to passivate it when it stops. */
    public static Behavior<Command> create(String entityId, ActorRef<ClusterSharding.ShardCommand> shard, Hooks hooks) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new FailureDetectorMember(ctx, timers, entityId, shard, hooks)));
    }

    private static final int MAX_HISTORY = 100;

    private final TimerScheduler<Command> timers;
    private final String swarmId;
    private final String self;
    private final Hooks hooks;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final ClusterSharding sharding;
    private final FailureDetectorCore core;
    private final PartitionDetectorCore partition;
    private final MeshOverlay overlay = MeshOverlay.of(GossipConfig.defaults());
    private final Map<String, Long> lastHeard = new HashMap<>();
    private final List<Detection> detections = new ArrayList<>();
    private final List<ModeChange> modeChanges = new ArrayList<>();
    private boolean started;
    /** Passivation asked for: nothing more is started (a members answer may still arrive). */
    private boolean stopping;
    private List<String> members = List.of();

    private FailureDetectorMember(ActorContext<Command> ctx, TimerScheduler<Command> timers, String entityId,
            ActorRef<ClusterSharding.ShardCommand> shard, Hooks hooks) {
        super(ctx);
        this.shard = shard;
        this.timers = timers;
        this.swarmId = entityId.substring(0, entityId.indexOf(':'));
        this.self = entityId.substring(entityId.indexOf(':') + 1);
        this.hooks = hooks;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        this.core = new FailureDetectorCore(self, hooks.settings().detector(), new SplittableRandom(entityId.hashCode() ^ System.nanoTime()));
        this.partition = new PartitionDetectorCore(self, hooks.settings().partition());
        fetchMembers();
    }

    private void fetchMembers() {
        getContext().pipeToSelf(hooks.membersOf().apply(swarmId), (agents, error) -> error == null
                ? new Members(List.copyOf(agents), "", false)
                : new Members(List.of(), String.valueOf(error), hooks.swarmGone().test(error)));
    }

    /** Stops probing and asks the shard to stop this member (which also makes remember-entities forget it). */
    private Behavior<Command> passivate(String why) {
        getContext().getLog().debug("failure detector {}:{} stops: {}", swarmId, self, why);
        timers.cancelAll();
        started = false;
        stopping = true;
        shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
        return this;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Start.class, m -> this)
                .onMessage(Stop.class, m -> passivate("the swarm shut down"))
                .onMessage(Members.class, this::onMembers)
                .onMessage(Deliver.class, m -> {
                    if (started) {
                        lastHeard.put(m.from(), System.currentTimeMillis());
                        run(new FailureDetectorCore.Received(m.from(), m.message()));
                    } // before the overlay is known the core could not place the sender: the next probe will do
                    return this;
                })
                .onMessage(Wake.class, m -> {
                    run(new FailureDetectorCore.Tick());
                    return this;
                })
                .onMessage(PartitionWake.class, m -> {
                    observe(new PartitionDetectorCore.Tick());
                    return this;
                })
                .onMessage(GetReport.class, m -> {
                    m.replyTo().tell(report());
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    hooks.board().remove(swarmId, self);
                    return this;
                })
                .build();
    }

    private Behavior<Command> onMembers(Members m) {
        if (stopping) {
            return this;
        }
        if (m.swarmGone()) {
            return passivate("swarm not found");
        }
        if (!m.error().isEmpty()) {
            getContext().getLog().info("failure detector {}:{}: swarm members not readable yet ({}), retrying", swarmId, self, m.error());
            timers.startSingleTimer("members", new Members(List.of(), "", false), Duration.ofSeconds(1));
            return this;
        }
        if (m.agents().isEmpty()) {
            fetchMembers();
            return this;
        }
        List<String> sorted = new ArrayList<>(m.agents());
        sorted.sort(null);
        Map<String, java.util.Set<String>> watches = new TreeMap<>();
        for (String a : sorted) {
            watches.put(a, overlay.linksOf(a, sorted));
        }
        started = true;
        members = List.copyOf(sorted);
        observe(new PartitionDetectorCore.KnownAgents(java.util.Set.copyOf(sorted)));
        run(new FailureDetectorCore.OverlayChanged(watches));
        return this;
    }

    private void run(FailureDetectorCore.Input input) {
        if (!started) {
            return;
        }
        FailureDetectorCore.Metrics before = core.metrics();
        long now = System.currentTimeMillis();
        List<FailureDetectorCore.Output> outputs = core.step(input, now);
        boolean declaredNow = core.metrics().failuresDeclared() > before.failuresDeclared();
        long refuted = core.metrics().falseSuspicions() - before.falseSuspicions();
        if (refuted > 0) {
            hooks.metrics().falseSuspicions(swarmId, refuted);
        }
        for (FailureDetectorCore.Output o : outputs) {
            if (o instanceof FailureDetectorCore.Send s) {
                sharding.entityRefFor(TYPE_KEY, entityId(swarmId, s.to())).tell(new Deliver(self, s.message()));
            } else if (o instanceof FailureDetectorCore.SetTimer t) {
                timers.startSingleTimer("tick", new Wake(), Duration.ofMillis(Math.max(0, t.atMillis() - now)));
            } else if (o instanceof FailureDetectorCore.PeerFailed f) {
                onPeerFailed(f, declaredNow);
            } else if (o instanceof FailureDetectorCore.PeerSuspected s) {
                getContext().getLog().debug("{}:{} suspects {} (by {})", swarmId, self, s.peer(), s.suspectedBy());
            } else if (o instanceof FailureDetectorCore.PeerAlive a) {
                getContext().getLog().info("{}:{}: {} is alive again at incarnation {} (was {})", swarmId, self, a.peer(),
                        a.incarnation(), a.previously());
                if (a.previously() == MemberStatus.FAILED) {
                    hooks.peers().alive(swarmId, a.peer());
                }
            } else if (o instanceof FailureDetectorCore.Refuted r) {
                getContext().getLog().info("{}:{} refuted a suspicion about itself (incarnation {})", swarmId, self, r.newIncarnation());
            } else if (o instanceof FailureDetectorCore.ReachabilityChanged r) {
                observe(new PartitionDetectorCore.Observed(r.agent(), r.reachable()));
            }
        }
    }

    private void onPeerFailed(FailureDetectorCore.PeerFailed f, boolean declaredHere) {
        long heard = lastHeard.getOrDefault(f.peer(), -1L);
        long detection = heard < 0 ? -1 : f.detectedAtMillis() - heard;
        add(detections, new Detection(f.peer(), f.detectedAtMillis(), detection, f.confirmations(), declaredHere));
        getContext().getLog().info("{}:{}: agent {} confirmed failed ({} confirmations, {})", swarmId, self, f.peer(),
                f.confirmations(), declaredHere ? "declared here" : "learned");
        if (declaredHere) {
            hooks.metrics().failureDeclared(swarmId, detection, f.confirmations());
            // the declaring agents start recovery; re-dispatch is fenced by attempt numbers, so two declarers are harmless
            hooks.peers().declaredFailed(swarmId, f.peer());
        } else {
            hooks.peers().learnedFailed(swarmId, f.peer());
        }
    }

    private void observe(PartitionDetectorCore.Input input) {
        long now = System.currentTimeMillis();
        long modeSince = partition.status().sinceMillis();
        for (PartitionDetectorCore.Output o : partition.step(input, now)) {
            if (o instanceof PartitionDetectorCore.SetTimer t) {
                timers.startSingleTimer("partition", new PartitionWake(), Duration.ofMillis(Math.max(0, t.atMillis() - now)));
            } else if (o instanceof PartitionDetectorCore.ModeChanged c) {
                add(modeChanges, new ModeChange(c.mode().name(), c.atMillis(), c.reachable(), c.known()));
                if (c.mode() == PartitionMode.READ_ONLY) {
                    hooks.metrics().partitionEntered(swarmId);
                } else {
                    hooks.metrics().partitionRecovered(swarmId, Duration.ofMillis(c.atMillis() - modeSince));
                }
                getContext().getLog().warn("{}:{} is now {} (reaches {} of {} agents)", swarmId, self, c.mode(), c.reachable(), c.known());
            }
        }
        hooks.board().update(swarmId, self, partition.status());
        for (PartitionMode mode : PartitionMode.values()) {
            hooks.metrics().agentsInMode(swarmId, mode.name(), () -> hooks.board().count(swarmId, mode));
        }
    }

    private static <T> void add(List<T> history, T item) {
        history.add(item);
        if (history.size() > MAX_HISTORY) {
            history.remove(0);
        }
    }

    private Report report() {
        PartitionStatus ps = partition.status();
        FailureDetectorCore.Metrics m = core.metrics();
        PartitionDetectorCore.Metrics pm = partition.metrics();
        Map<String, String> peers = new TreeMap<>();
        for (String a : members) {
            if (!a.equals(self)) {
                peers.put(a, core.statusOf(a).name());
            }
        }
        return new Report(swarmId, self, hooks.node(), ps.mode().name(), ps.reachable(), ps.known(), ps.needed(), ps.sinceMillis(),
                core.incarnation(), peers, m.suspicionsRaised(), m.falseSuspicions(), m.refutations(), m.failuresDeclared(),
                m.failuresLearned(), m.confirmationsPerFailure(), List.copyOf(detections), pm.partitions(), pm.recoveryMillis(),
                List.copyOf(modeChanges));
    }
}

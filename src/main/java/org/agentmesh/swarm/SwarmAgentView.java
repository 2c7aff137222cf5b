package org.agentmesh.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.agentmesh.gossip.GossipMember;
import org.agentmesh.gossip.GossipViews;
import org.agentmesh.gossip.PeerEntry;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.task.AgentView;
import org.agentmesh.task.AgentWorker;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The agents of a swarm with their current loads, as this node sees them: members, capabilities and the swarm's
 * strategy from the swarm entity, running and queued counts from each agent's worker. Cached for {@code maxAge} per
 * swarm so that routing a burst of tasks asks the workers once, not once per task; concurrent callers share one
 * refresh, and assignments routed since the snapshot are counted in until the next one.
 *
 * <p>With {@link GossipViews} given, a refresh first reads the view of a gossip member on this node: when it holds an
 * entry for every member of the swarm, capabilities, liveness, load ((running + queued) / capacity) and past
 * performance come from there and no worker is asked; otherwise (no member here yet, or one still learning the
 * swarm) it asks the workers.
 *
 * <p>Agents in {@link FailedAgents} (confirmed failed by a failure detector) are shown not live in every snapshot,
 * cached ones included, and their workers are not asked: a refresh does not wait for a dead worker's timeout.
 */
final class SwarmAgentView implements AgentView {

    /** A swarm as routing needs it. */
    record Snapshot(SwarmSpec spec, List<AgentLoad> agents) {}

    private record Cached(long atNanos, CompletableFuture<Snapshot> snapshot, ConcurrentHashMap<String, Integer> routedSince) {}

    private final ActorSystem<?> system;
    private final Function<String, CompletionStage<SwarmEntity.Found>> describe;
    private final Duration maxAge;
    private final Duration askTimeout;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final Optional<GossipViews> gossip;
    private final FailedAgents failed;

    SwarmAgentView(ActorSystem<?> system, Function<String, CompletionStage<SwarmEntity.Found>> describe, Duration maxAge,
            Duration askTimeout, FailedAgents failed) {
        this(system, describe, maxAge, askTimeout, failed, null);
    }

    SwarmAgentView(ActorSystem<?> system, Function<String, CompletionStage<SwarmEntity.Found>> describe, Duration maxAge,
            Duration askTimeout, FailedAgents failed, GossipViews gossip) {
        this.system = system;
        this.describe = describe;
        this.maxAge = maxAge;
        this.askTimeout = askTimeout;
        this.failed = failed;
        this.gossip = Optional.ofNullable(gossip);
    }

    @Override
    public CompletionStage<List<AgentLoad>> agents(String swarmId) {
        return snapshot(swarmId).thenApply(Snapshot::agents);
    }

    CompletionStage<Snapshot> snapshot(String swarmId) {
        long now = System.nanoTime();
        Cached c = cache.compute(swarmId, (id, old) -> old != null && now - old.atNanos() < maxAge.toNanos()
                && !old.snapshot().isCompletedExceptionally() ? old : new Cached(now, refresh(id), new ConcurrentHashMap<>()));
        return c.snapshot().thenApply(s -> new Snapshot(s.spec(), s.agents().stream().map(a -> {
            int routed = c.routedSince().getOrDefault(a.agentId(), 0);
            AgentLoad counted = routed == 0 ? a : a.withCounts(a.running(), a.queued() + routed);
            return failed.isFailed(swarmId, a.agentId()) ? counted.withLive(false) : counted;
        }).toList()));
    }

    /**
     * Counts a task just routed to {@code agentId} as queued there until the next snapshot, so that a burst of
     * submissions routed on one snapshot spreads instead of piling onto whichever agent looked idlest.
     */
    void noteRouted(String swarmId, String agentId) {
        Cached c = cache.get(swarmId);
        if (c != null) {
            c.routedSince().merge(agentId, 1, Integer::sum);
        }
    }

    /** Forgets what is cached (e.g. after a swarm shut down, or to read fresh loads). */
    void invalidate(String swarmId) {
        cache.remove(swarmId);
    }

    /** Each worker's own account, asked now. */
    CompletionStage<List<AgentWorker.Load>> workerLoads(SwarmSpec spec) {
        return workerLoads(spec, false);
    }

    /** {@code skipFailed}: a confirmed-failed agent's worker is not asked, its load reads as unanswered (null). */
    private CompletionStage<List<AgentWorker.Load>> workerLoads(SwarmSpec spec, boolean skipFailed) {
        ClusterSharding sharding = ClusterSharding.get(system);
        List<CompletableFuture<AgentWorker.Load>> loads = new ArrayList<>();
        for (AgentSpec a : spec.agents()) {
            if (skipFailed && failed.isFailed(spec.id(), a.id())) {
                loads.add(CompletableFuture.completedFuture(null)); // confirmed failed: not worth a timeout
                continue;
            }
            loads.add(sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(spec.id(), a.id()))
                    .<AgentWorker.Load>ask(AgentWorker.GetLoad::new, askTimeout)
                    // a worker that does not answer is reported as such: capacity known, nothing measured, not live
                    .exceptionally(e -> null)
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new))
                .thenApply(done -> loads.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<Snapshot> refresh(String swarmId) {
        return describe.apply(swarmId).toCompletableFuture().thenCompose(found -> {
            Optional<List<AgentLoad>> fromGossip = gossip.flatMap(g -> fromGossip(g, found.spec()));
            return fromGossip.isPresent()
                    ? CompletableFuture.completedFuture(new Snapshot(found.spec(), fromGossip.get()))
                    : fromWorkers(found);
        });
    }

    /**
     * Every member as the best local gossip view has it; empty if there is none or it misses a member. Gossip carries
     * no resource figure, so every agent gets the same neutral 0.5: a constant that cannot change any ranking.
     */
    static Optional<List<AgentLoad>> fromGossip(GossipViews views, SwarmSpec spec) {
        Optional<GossipMember.View> best = views.best(spec.id());
        if (best.isEmpty()) {
            return Optional.empty();
        }
        Map<String, PeerEntry> entries = new HashMap<>();
        best.get().peers().forEach(e -> entries.put(e.peerId(), e));
        List<AgentLoad> out = new ArrayList<>();
        for (AgentSpec a : spec.agents()) {
            PeerEntry e = entries.get(a.id());
            if (e == null) {
                return Optional.empty();
            }
            int total = (int) Math.round(e.load() * a.capacity());
            int running = Math.min(total, a.capacity());
            out.add(new AgentLoad(a.id(), List.copyOf(e.capabilities()), a.capacity(), running, total - running,
                    Math.max(0.0, Math.min(1.0, e.reputation())), 0.5, e.status().isLive()));
        }
        return Optional.of(out);
    }

    private CompletableFuture<Snapshot> fromWorkers(SwarmEntity.Found found) {
        return workerLoads(found.spec(), true).toCompletableFuture().thenApply(loads -> {
            List<AgentLoad> agents = new ArrayList<>();
            for (int i = 0; i < loads.size(); i++) {
                AgentSpec a = found.spec().agents().get(i);
                AgentWorker.Load l = loads.get(i);
                agents.add(l == null
                        ? new AgentLoad(a.id(), a.capabilities(), a.capacity(), 0, 0, 0.5, 0.0, false)
                        : new AgentLoad(a.id(), a.capabilities(), a.capacity(), l.running(), l.queued(), pastPerformance(l),
                                l.resourceAvailability(), true));
            }
            return new Snapshot(found.spec(), agents);
        });
    }

    /** The share of its attempts that succeeded; a neutral 0.5 before it has run any. */
    private static double pastPerformance(AgentWorker.Load l) {
        return l.executed() == 0 ? 0.5 : (double) l.succeeded() / l.executed();
    }
}

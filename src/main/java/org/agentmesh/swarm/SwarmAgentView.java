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
import org.agentmesh.task.AgentView;
import org.agentmesh.task.AgentWorker;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The agents of a swarm with their current loads, as this node sees them: members and capabilities from the swarm
 * entity, running and queued counts from each agent's worker. Cached for {@code maxAge} per swarm so that routing
 * a burst of tasks asks the workers once, not once per task; concurrent callers share one refresh.
 *
 * <p>With {@link GossipViews} given, a refresh first reads the view of a gossip member on this node: when it holds an
 * entry for every member of the swarm, capabilities, liveness, load ((running + queued) / capacity) and past
 * performance come from there and no worker is asked; otherwise (no member here yet, or one still learning the
 * swarm) it asks the workers as before.
 */
final class SwarmAgentView implements AgentView {

    private record Cached(long atNanos, CompletableFuture<List<AgentLoad>> agents) {}

    private final ActorSystem<?> system;
    private final Function<String, CompletionStage<SwarmEntity.Found>> describe;
    private final Duration maxAge;
    private final Duration askTimeout;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final Optional<GossipViews> gossip;

    SwarmAgentView(ActorSystem<?> system, Function<String, CompletionStage<SwarmEntity.Found>> describe, Duration maxAge,
            Duration askTimeout) {
        this(system, describe, maxAge, askTimeout, null);
    }

    SwarmAgentView(ActorSystem<?> system, Function<String, CompletionStage<SwarmEntity.Found>> describe, Duration maxAge,
            Duration askTimeout, GossipViews gossip) {
        this.system = system;
        this.describe = describe;
        this.maxAge = maxAge;
        this.askTimeout = askTimeout;
        this.gossip = Optional.ofNullable(gossip);
    }

    @Override
    public CompletionStage<List<AgentLoad>> agents(String swarmId) {
        long now = System.nanoTime();
        Cached c = cache.compute(swarmId, (id, old) -> old != null && now - old.atNanos() < maxAge.toNanos()
                ? old : new Cached(now, refresh(id)));
        return c.agents();
    }

    /** Forgets what is cached (e.g. after a swarm shut down). */
    void invalidate(String swarmId) {
        cache.remove(swarmId);
    }

    private CompletableFuture<List<AgentLoad>> refresh(String swarmId) {
        ClusterSharding sharding = ClusterSharding.get(system);
        return describe.apply(swarmId).toCompletableFuture().thenCompose(found -> {
            Optional<List<AgentLoad>> fromGossip = gossip.flatMap(g -> fromGossip(g, found.spec()));
            if (fromGossip.isPresent()) {
                return CompletableFuture.completedFuture(fromGossip.get());
            }
            List<CompletableFuture<AgentLoad>> loads = new ArrayList<>();
            for (AgentSpec a : found.spec().agents()) {
                loads.add(sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, a.id()))
                        .<AgentWorker.Load>ask(AgentWorker.GetLoad::new, askTimeout)
                        .thenApply(l -> new AgentLoad(a.id(), a.capabilities(), a.capacity(), l.running(), l.queued(), true,
                                pastPerformance(l)))
                        .exceptionally(e -> new AgentLoad(a.id(), a.capabilities(), a.capacity(), 0, 0, false, 0.5))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new))
                    .thenApply(done -> loads.stream().map(CompletableFuture::join).toList());
        });
    }

    /** Every member as the best local gossip view has it; empty if there is none or it misses a member. */
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
                    e.status().isLive(), e.reputation()));
        }
        return Optional.of(out);
    }

    /** The share of its attempts that succeeded; a neutral 0.5 before it has run any. */
    private static double pastPerformance(AgentWorker.Load l) {
        return l.executed() == 0 ? 0.5 : (double) l.succeeded() / l.executed();
    }
}

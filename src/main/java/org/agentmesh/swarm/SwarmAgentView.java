package org.agentmesh.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.agentmesh.task.AgentView;
import org.agentmesh.task.AgentWorker;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The agents of a swarm with their current loads, as this node sees them: members and capabilities from the swarm
 * entity, running and queued counts from each agent's worker. Cached for {@code maxAge} per swarm so that routing
 * a burst of tasks asks the workers once, not once per task; concurrent callers share one refresh.
 */
final class SwarmAgentView implements AgentView {

    /** A snapshot plus the assignments routed since it was taken, which it cannot know about yet. */
    private record Cached(long atNanos, CompletableFuture<List<AgentLoad>> agents, ConcurrentHashMap<String, Integer> routedSince) {}

    private final ActorSystem<?> system;
    private final Function<String, CompletionStage<SwarmEntity.Found>> describe;
    private final Duration maxAge;
    private final Duration askTimeout;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    SwarmAgentView(ActorSystem<?> system, Function<String, CompletionStage<SwarmEntity.Found>> describe, Duration maxAge,
            Duration askTimeout) {
        this.system = system;
        this.describe = describe;
        this.maxAge = maxAge;
        this.askTimeout = askTimeout;
    }

    @Override
    public CompletionStage<List<AgentLoad>> agents(String swarmId) {
        long now = System.nanoTime();
        Cached c = cache.compute(swarmId, (id, old) -> old != null && now - old.atNanos() < maxAge.toNanos()
                ? old : new Cached(now, refresh(id), new ConcurrentHashMap<>()));
        return c.agents().thenApply(agents -> agents.stream().map(a -> {
            int routed = c.routedSince().getOrDefault(a.agentId(), 0);
            return routed == 0 ? a : new AgentLoad(a.agentId(), a.capabilities(), a.capacity(), a.running(), a.queued() + routed,
                    a.live(), a.executed(), a.pastPerformance());
        }).toList());
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

    /** Forgets what is cached (e.g. after a swarm shut down). */
    void invalidate(String swarmId) {
        cache.remove(swarmId);
    }

    private CompletableFuture<List<AgentLoad>> refresh(String swarmId) {
        ClusterSharding sharding = ClusterSharding.get(system);
        return describe.apply(swarmId).toCompletableFuture().thenCompose(found -> {
            List<CompletableFuture<AgentLoad>> loads = new ArrayList<>();
            for (AgentSpec a : found.spec().agents()) {
                loads.add(sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, a.id()))
                        .<AgentWorker.Load>ask(AgentWorker.GetLoad::new, askTimeout)
                        .thenApply(l -> new AgentLoad(a.id(), a.capabilities(), a.capacity(), l.running(), l.queued(), true,
                                l.executed(), pastPerformance(l)))
                        .exceptionally(e -> new AgentLoad(a.id(), a.capabilities(), a.capacity(), 0, 0, false, 0, 0.5))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new))
                    .thenApply(done -> loads.stream().map(CompletableFuture::join).toList());
        });
    }

    /** The share of its attempts that succeeded; a neutral 0.5 before it has run any. */
    private static double pastPerformance(AgentWorker.Load l) {
        return l.executed() == 0 ? 0.5 : (double) l.succeeded() / l.executed();
    }
}

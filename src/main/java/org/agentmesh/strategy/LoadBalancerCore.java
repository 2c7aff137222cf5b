package org.agentmesh.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The periodic load balancer (the seed's {@code LoadBalancer.balance_load}), pure: each round it reads a view of the
 * agents' loads and of their queued tasks, and decides migrations of <em>queued</em> tasks from hot agents
 * (utilization above {@code hotThreshold}) to cold agents (below {@code coldThreshold}), at most
 * {@code maxMigrationsPerRound}, respecting capabilities.
 *
 * <p>Within a round it works on projected counts: repeatedly the hottest source that is still hot (projected load
 * factor above the hot threshold) offers its queued tasks from the tail; each goes to the least loaded target (cold at
 * the start of the round) that matches the task, ties by agent id, provided the target's projected load factor after
 * the move is at most the source's after the move (or at most 1.0, a full but not queueing target). So receivers are
 * filled up to the level of the hot agents, never above it, and the peak load never grows.
 *
 * <p>The shell calls {@link #round} on a timer, then for each {@link Migrate} sends
 * {@link WorkStealingInput.Release} to the source agent's core; the source hands the task over only if it still has
 * not started, so a stale view can cost a refused migration but never a duplicate run.
 */
public final class LoadBalancerCore {

    private final LoadBalancerConfig config;
    private long rounds;
    private long migrations;

    public LoadBalancerCore(LoadBalancerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * @param agents the load view
     * @param queuedTasks per agent id, its queued (not started) tasks, head first; missing means none
     */
    public List<Migrate> round(List<AgentLoad> agents, Map<String, List<TaskRequirements>> queuedTasks) {
        rounds++;
        Map<String, AgentLoad> byId = new HashMap<>();
        Map<String, Integer> load = new HashMap<>();
        List<AgentLoad> sources = new ArrayList<>();
        List<AgentLoad> targets = new ArrayList<>();
        for (AgentLoad a : agents) {
            if (!a.live()) {
                continue;
            }
            byId.put(a.agentId(), a);
            load.put(a.agentId(), a.running() + a.queued());
            if (a.utilization() > config.hotThreshold()) {
                sources.add(a);
            } else if (a.utilization() < config.coldThreshold()) {
                targets.add(a);
            }
        }
        List<Migrate> out = new ArrayList<>();
        if (sources.isEmpty() || targets.isEmpty()) {
            return out;
        }
        Map<String, List<TaskRequirements>> offer = new HashMap<>();
        for (AgentLoad s : sources) {
            List<TaskRequirements> q = new ArrayList<>(queuedTasks.getOrDefault(s.agentId(), List.of()));
            java.util.Collections.reverse(q); // tail first
            offer.put(s.agentId(), q);
        }
        Comparator<AgentLoad> hottestFirst = Comparator
                .comparingDouble((AgentLoad a) -> -(double) load.get(a.agentId()) / a.capacity())
                .thenComparing(AgentLoad::agentId);
        Comparator<AgentLoad> coldestFirst = Comparator
                .comparingDouble((AgentLoad a) -> (double) load.get(a.agentId()) / a.capacity())
                .thenComparing(AgentLoad::agentId);
        while (out.size() < config.maxMigrationsPerRound()) {
            boolean moved = false;
            List<AgentLoad> hot = sources.stream()
                    .filter(s -> (double) load.get(s.agentId()) / s.capacity() > config.hotThreshold())
                    .filter(s -> !offer.get(s.agentId()).isEmpty())
                    .sorted(hottestFirst)
                    .toList();
            for (AgentLoad source : hot) {
                double sourceAfter = (double) (load.get(source.agentId()) - 1) / source.capacity();
                List<TaskRequirements> tasks = offer.get(source.agentId());
                for (int i = 0; i < tasks.size() && !moved; i++) {
                    TaskRequirements task = tasks.get(i);
                    AgentLoad target = targets.stream()
                            .filter(t -> (double) (load.get(t.agentId()) + 1) / t.capacity() <= Math.max(sourceAfter, 1.0))
                            .filter(t -> CapabilityMatch.score(task, t) >= config.matchThreshold())
                            .min(coldestFirst)
                            .orElse(null);
                    if (target != null) {
                        tasks.remove(i);
                        load.merge(source.agentId(), -1, Integer::sum);
                        load.merge(target.agentId(), 1, Integer::sum);
                        out.add(new Migrate(task.taskId(), source.agentId(), target.agentId()));
                        moved = true;
                    }
                }
                if (moved) {
                    break;
                }
            }
            if (!moved) {
                break;
            }
        }
        migrations += out.size();
        return out;
    }

    public long rounds() {
        return rounds;
    }

    /** Migrations decided so far (some may have been refused by a source whose task had started meanwhile). */
    public long migrationsDecided() {
        return migrations;
    }

    public LoadBalancerConfig config() {
        return config;
    }
}

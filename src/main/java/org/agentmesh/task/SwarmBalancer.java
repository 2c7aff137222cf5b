package org.agentmesh.task;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.agentmesh.serialization.CborSerializable;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.strategy.LoadBalancerConfig;
import org.agentmesh.strategy.LoadBalancerCore;
import org.agentmesh.strategy.Migrate;
import org.agentmesh.strategy.TaskRequirements;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The load balancer of one swarm (one per swarm in the cluster: it runs beside the swarm entity). Every interval it
 * reads the agents' loads and the hot agents' queues, lets the pure {@link LoadBalancerCore} plan migrations of
 * queued tasks from agents above the hot threshold to agents below the cold one, and carries them out like a steal:
 * the source worker releases the task only if it has not started, the task entity records the move
 * ({@code Migrated}, with a new attempt number), and only then does the target worker queue it.
 */
public final class SwarmBalancer {

    sealed interface Command extends CborSerializable {}

    enum Tick implements Command { INSTANCE }

    record Planned(List<Migrate> migrations) implements Command {}

    private SwarmBalancer() {}

    public static Behavior<?> create(String swarmId, AgentView view, LoadBalancerConfig config, Duration interval, Duration askTimeout) {
        return Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
            LoadBalancerCore core = new LoadBalancerCore(config);
            ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
            boolean[] busy = {false};
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Tick.INSTANCE, () -> {
                        if (!busy[0]) {
                            busy[0] = true;
                            ctx.pipeToSelf(plan(swarmId, view, core, sharding, config, askTimeout),
                                    (migrations, error) -> new Planned(error == null ? migrations : List.of()));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Planned.class, p -> {
                        busy[0] = false;
                        for (Migrate m : p.migrations()) {
                            migrate(swarmId, m, sharding, askTimeout, ctx);
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    private static EntityRef<AgentWorker.Command> worker(ClusterSharding sharding, String swarmId, String agentId) {
        return sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, agentId));
    }

    /** Loads of every agent plus the queues of the hot ones (only those can give tasks away), then the core's plan. */
    private static CompletableFuture<List<Migrate>> plan(String swarmId, AgentView view, LoadBalancerCore core,
            ClusterSharding sharding, LoadBalancerConfig config, Duration askTimeout) {
        return view.agents(swarmId).toCompletableFuture().thenCompose(agents -> {
            List<AgentLoad> hot = agents.stream().filter(a -> a.live() && a.utilization() > config.hotThreshold()).toList();
            boolean anyCold = agents.stream().anyMatch(a -> a.live() && a.utilization() < config.coldThreshold());
            if (hot.isEmpty() || !anyCold) {
                return CompletableFuture.completedFuture(List.<Migrate>of());
            }
            List<CompletableFuture<AgentWorker.QueuedTasks>> queues = hot.stream()
                    .map(a -> worker(sharding, swarmId, a.agentId()).<AgentWorker.QueuedTasks>ask(AgentWorker.GetQueue::new, askTimeout)
                            .toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(queues.toArray(CompletableFuture[]::new)).thenApply(done -> {
                Map<String, List<TaskRequirements>> queued = new HashMap<>();
                queues.forEach(q -> queued.put(q.join().agentId(), q.join().tasks()));
                return core.round(agents, queued);
            });
        });
    }

    /** The source worker's core releases the task if it has not started; the worker records the move and hands it over. */
    private static void migrate(String swarmId, Migrate m, ClusterSharding sharding, Duration askTimeout, ActorContext<Command> ctx) {
        worker(sharding, swarmId, m.from()).<AgentWorker.StealReply>ask(r -> new AgentWorker.Release(m.taskId(), m.to(), r), askTimeout)
                .whenComplete((reply, error) -> {
                    if (error != null || !reply.granted()) {
                        ctx.getLog().debug("migration of {} from {} to {} not done: {}", m.taskId(), m.from(), m.to(),
                                error != null ? error.toString() : reply.reason());
                    }
                });
    }
}

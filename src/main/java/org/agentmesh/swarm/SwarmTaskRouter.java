package org.agentmesh.swarm;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.strategy.Assignment;
import org.agentmesh.strategy.AssignmentConfig;
import org.agentmesh.strategy.AssignmentStrategy;
import org.agentmesh.strategy.CapabilityMatch;
import org.agentmesh.strategy.TaskRequirements;
import org.agentmesh.task.TaskRouter;
import org.agentmesh.task.TaskSpec;

/**
 * Routes a task to an agent of its swarm with the task's strategy, or else the swarm's: capability, auction, dht,
 * round-robin or random ({@link AssignmentStrategy}, pure), on the node's load view. {@code assignTo} overrides the
 * strategy. One strategy instance per swarm and kind, so round-robin keeps its turn.
 */
final class SwarmTaskRouter implements TaskRouter {

    private final SwarmAgentView view;
    private final AssignmentConfig config;
    private final Map<String, AssignmentStrategy> strategies = new ConcurrentHashMap<>();

    SwarmTaskRouter(SwarmAgentView view, AssignmentConfig config) {
        this.view = view;
        this.config = config;
    }

    @Override
    public CompletionStage<Decision> route(String swarmId, TaskSpec task, Set<String> exclude) {
        return view.snapshot(swarmId).thenApply(snapshot -> {
            Strategy kind = task.strategy().isEmpty() ? snapshot.spec().strategy() : Strategy.parse(task.strategy()).orElseThrow();
            Decision d = choose(swarmId, kind, snapshot.agents(), task, exclude);
            if (d instanceof Route r) {
                view.noteRouted(swarmId, r.agentId());
            }
            return d;
        });
    }

    Decision choose(String swarmId, Strategy kind, List<AgentLoad> agents, TaskSpec task, Set<String> exclude) {
        TaskRequirements req = new TaskRequirements(task.id(), task.requiredCapabilities(), task.priority(), task.estimatedCostMillis());
        if (!task.assignTo().isEmpty()) {
            return agents.stream().filter(a -> a.agentId().equals(task.assignTo())).findFirst()
                    .<Decision>map(a -> CapabilityMatch.score(req, a) >= config.matchThreshold()
                            ? new Route(a.agentId(), "assigned by the submitter")
                            : new NoCapableAgent("agent '" + a.agentId() + "' cannot serve " + task.requiredCapabilities()))
                    .orElseGet(() -> new NoCapableAgent("the swarm has no agent '" + task.assignTo() + "'"));
        }
        AssignmentStrategy strategy = strategies.computeIfAbsent(swarmId + "/" + kind,
                k -> AssignmentStrategy.of(kind, config, new SplittableRandom()));
        // a reassignment avoids the agent that just lost the task, unless nobody else can take it
        List<AgentLoad> preferred = exclude.isEmpty() ? agents
                : agents.stream().map(a -> exclude.contains(a.agentId()) ? a.withLive(false) : a).toList();
        Assignment a = strategy.assign(req, preferred);
        if (a instanceof Assignment.Rejected && preferred != agents) {
            a = strategy.assign(req, agents);
        }
        if (a instanceof Assignment.Assigned assigned) {
            return new Route(assigned.agentId(), kind.wireName() + " (score " + String.format("%.3f", assigned.score()) + ")");
        }
        return new NoCapableAgent(((Assignment.Rejected) a).reason().describe());
    }
}

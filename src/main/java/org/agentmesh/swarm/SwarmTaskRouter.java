package org.agentmesh.swarm;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.agentmesh.task.AgentView;
import org.agentmesh.task.TaskRouter;
import org.agentmesh.task.TaskSpec;

/**
 * Routes a task to an agent of its swarm: candidates are the live agents whose capabilities match at least
 * {@code threshold} of the task's requirements; among them the least utilized wins (ties by id).
 */
final class SwarmTaskRouter implements TaskRouter {

    private final SwarmAgentView view;
    private final double threshold;

    SwarmTaskRouter(SwarmAgentView view, double threshold) {
        this.view = view;
        this.threshold = threshold;
    }

    @Override
    public CompletionStage<Decision> route(String swarmId, TaskSpec task, Set<String> exclude) {
        return view.agents(swarmId).thenApply(agents -> {
            Decision d = choose(agents, task, exclude);
            if (d instanceof Route r) {
                view.noteRouted(swarmId, r.agentId());
            }
            return d;
        });
    }

    Decision choose(List<AgentView.AgentLoad> agents, TaskSpec task, Set<String> exclude) {
        if (!task.assignTo().isEmpty()) {
            return agents.stream().filter(a -> a.agentId().equals(task.assignTo())).findFirst()
                    .<Decision>map(a -> AgentView.match(task.requiredCapabilities(), a.capabilities()) >= threshold
                            ? new Route(a.agentId(), "assigned by the submitter")
                            : new NoCapableAgent("agent '" + a.agentId() + "' cannot serve " + task.requiredCapabilities()))
                    .orElseGet(() -> new NoCapableAgent("the swarm has no agent '" + task.assignTo() + "'"));
        }
        List<AgentView.AgentLoad> capable = agents.stream()
                .filter(a -> a.live() && AgentView.match(task.requiredCapabilities(), a.capabilities()) >= threshold)
                .toList();
        if (capable.isEmpty()) {
            double best = agents.stream().mapToDouble(a -> AgentView.match(task.requiredCapabilities(), a.capabilities())).max().orElse(0);
            return new NoCapableAgent("no live agent matches " + task.requiredCapabilities() + " to at least "
                    + threshold + " (best match " + best + ")");
        }
        List<AgentView.AgentLoad> preferred = capable.stream().filter(a -> !exclude.contains(a.agentId())).toList();
        AgentView.AgentLoad winner = (preferred.isEmpty() ? capable : preferred).stream()
                .min(Comparator.comparingDouble(AgentView.AgentLoad::utilization).thenComparing(AgentView.AgentLoad::agentId))
                .orElseThrow();
        return new Route(winner.agentId(), "least utilized capable agent");
    }
}

package org.agentmesh.strategy;

import java.util.List;
import org.agentmesh.swarm.Strategy;

/**
 * Baseline: the capable live agents (sorted by id) in turn, with one counter for all tasks; ignores load and capacity.
 */
public final class RoundRobinStrategy implements AssignmentStrategy {

    private final AssignmentConfig config;
    private long counter;

    public RoundRobinStrategy(AssignmentConfig config) {
        this.config = config;
    }

    @Override
    public Strategy kind() {
        return Strategy.ROUND_ROBIN;
    }

    @Override
    public Assignment assign(TaskRequirements task, List<AgentLoad> agents) {
        List<AssignmentStrategy.Candidate> capable = AssignmentStrategy.capable(task, agents, config.matchThreshold());
        if (capable.isEmpty()) {
            return AssignmentStrategy.noCapableAgent(kind(), task, agents, config.matchThreshold());
        }
        AssignmentStrategy.Candidate c = capable.get((int) Math.floorMod(counter++, (long) capable.size()));
        return new Assignment.Assigned(task.taskId(), c.agent().agentId(), kind(), c.match());
    }
}

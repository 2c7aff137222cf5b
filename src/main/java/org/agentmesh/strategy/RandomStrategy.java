package org.agentmesh.strategy;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.agentmesh.swarm.Strategy;

/** Baseline: a capable live agent chosen uniformly with the passed-in generator; ignores load and capacity. */
public final class RandomStrategy implements AssignmentStrategy {

    private final AssignmentConfig config;
    private final RandomGenerator random;

    public RandomStrategy(AssignmentConfig config, RandomGenerator random) {
        this.config = config;
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public Strategy kind() {
        return Strategy.RANDOM;
    }

    @Override
    public Assignment assign(TaskRequirements task, List<AgentLoad> agents) {
        List<AssignmentStrategy.Candidate> capable = AssignmentStrategy.capable(task, agents, config.matchThreshold());
        if (capable.isEmpty()) {
            return AssignmentStrategy.noCapableAgent(kind(), task, agents, config.matchThreshold());
        }
        AssignmentStrategy.Candidate c = capable.get(random.nextInt(capable.size()));
        return new Assignment.Assigned(task.taskId(), c.agent().agentId(), kind(), c.match());
    }
}

package org.agentmesh.strategy;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.agentmesh.swarm.Strategy;

/**
 * Capability routing (the seed's {@code CapabilityRouter}): among live agents whose match score reaches the threshold
 * and that have a free slot, the best match wins, then the least loaded (lowest load factor), then the lowest agent id.
 * When every capable agent is full, the task is queued on the least loaded capable agent (same order) if
 * {@link AssignmentConfig#queueWhenFull()}, else rejected with {@link RejectionReason.NoFreeCapacity}.
 */
public final class CapabilityStrategy implements AssignmentStrategy {

    static final Comparator<AssignmentStrategy.Candidate> ORDER =
            Comparator.comparingDouble((AssignmentStrategy.Candidate c) -> -c.match())
                    .thenComparingDouble(c -> c.agent().loadFactor())
                    .thenComparing(c -> c.agent().agentId());

    private final AssignmentConfig config;

    public CapabilityStrategy(AssignmentConfig config) {
        this.config = config;
    }

    @Override
    public Strategy kind() {
        return Strategy.CAPABILITY;
    }

    @Override
    public Assignment assign(TaskRequirements task, List<AgentLoad> agents) {
        List<AssignmentStrategy.Candidate> capable = AssignmentStrategy.capable(task, agents, config.matchThreshold());
        if (capable.isEmpty()) {
            return AssignmentStrategy.noCapableAgent(kind(), task, agents, config.matchThreshold());
        }
        Optional<AssignmentStrategy.Candidate> free =
                capable.stream().filter(c -> c.agent().hasFreeSlot()).min(ORDER);
        if (free.isPresent()) {
            return assigned(task, free.get());
        }
        if (!config.queueWhenFull()) {
            return new Assignment.Rejected(task.taskId(), kind(),
                    new RejectionReason.NoFreeCapacity(task.requiredCapabilities(), capable.size()));
        }
        return assigned(task, capable.stream()
                .min(Comparator.comparingDouble((AssignmentStrategy.Candidate c) -> c.agent().loadFactor())
                        .thenComparing(ORDER))
                .orElseThrow());
    }

    private Assignment assigned(TaskRequirements task, AssignmentStrategy.Candidate c) {
        return new Assignment.Assigned(task.taskId(), c.agent().agentId(), kind(), c.match());
    }
}

package org.agentmesh.strategy;

import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * An agent's bid for a task in an auction: the four facts the auction weighs, plus the agent's load factor
 * (running + queued over capacity, unclamped) used only to break score ties.
 */
public record Bid(String taskId, String agentId, double capabilityMatch, double utilization, double performance,
        double resourceAvailability, double loadFactor) implements CborSerializable {

    public Bid {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(agentId, "agentId");
        AgentLoad.requireUnit("capabilityMatch", capabilityMatch);
        AgentLoad.requireUnit("utilization", utilization);
        AgentLoad.requireUnit("performance", performance);
        AgentLoad.requireUnit("resourceAvailability", resourceAvailability);
        if (!(loadFactor >= 0)) {
            throw new IllegalArgumentException("loadFactor must be >= 0, was " + loadFactor);
        }
    }

    /** The bid an agent makes from its own state. */
    public static Bid from(TaskRequirements task, AgentLoad agent) {
        return new Bid(task.taskId(), agent.agentId(), CapabilityMatch.score(task, agent), agent.utilization(),
                agent.performance(), agent.resourceAvailability(), agent.loadFactor());
    }

    public double score(AuctionWeights weights) {
        return weights.score(capabilityMatch, utilization, performance, resourceAvailability);
    }
}

package org.agentmesh.strategy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;
import org.agentmesh.swarm.Strategy;

/** The decision of an {@link AssignmentStrategy} for one task: assigned to an agent, or rejected with a reason. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Assignment.Assigned.class, name = "assigned"),
    @JsonSubTypes.Type(value = Assignment.Rejected.class, name = "rejected")
})
public sealed interface Assignment extends CborSerializable permits Assignment.Assigned, Assignment.Rejected {

    String taskId();

    /**
     * @param score what the strategy ranked by: capability match (capability, dht, baselines) or bid score (auction)
     */
    record Assigned(String taskId, String agentId, Strategy strategy, double score) implements Assignment {
        public Assigned {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(agentId, "agentId");
            Objects.requireNonNull(strategy, "strategy");
        }
    }

    record Rejected(String taskId, Strategy strategy, RejectionReason reason) implements Assignment {
        public Rejected {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(reason, "reason");
        }
    }
}

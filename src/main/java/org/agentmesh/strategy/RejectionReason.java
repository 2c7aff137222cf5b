package org.agentmesh.strategy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/** Why a task was refused rather than queued. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RejectionReason.NoCapableAgent.class, name = "no-capable-agent"),
    @JsonSubTypes.Type(value = RejectionReason.NoFreeCapacity.class, name = "no-free-capacity")
})
public sealed interface RejectionReason extends CborSerializable
        permits RejectionReason.NoCapableAgent, RejectionReason.NoFreeCapacity {

    /** A one-line explanation for logs and problem bodies. */
    String describe();

    /**
     * No live agent reaches the match threshold.
     *
     * @param bestScore the best match score any live agent reached (0 when there is no live agent)
     */
    record NoCapableAgent(List<String> required, double bestScore, double threshold) implements RejectionReason {
        public NoCapableAgent {
            required = List.copyOf(required);
        }

        @Override
        public String describe() {
            return "no live agent offers the required capabilities " + required + ": best match " + bestScore
                    + " < threshold " + threshold;
        }
    }

    /** Capable agents exist but all their slots are taken, and the configuration refuses to queue. */
    record NoFreeCapacity(List<String> required, int capableAgents) implements RejectionReason {
        public NoFreeCapacity {
            required = List.copyOf(required);
        }

        @Override
        public String describe() {
            return "all " + capableAgents + " capable agents for " + required + " are at capacity";
        }
    }
}

package org.agentmesh.strategy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/** Messages between the {@link WorkStealingCore}s of two agents. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = StealMessage.StealRequest.class, name = "steal-request"),
    @JsonSubTypes.Type(value = StealMessage.StealGranted.class, name = "steal-granted"),
    @JsonSubTypes.Type(value = StealMessage.StealDenied.class, name = "steal-denied"),
    @JsonSubTypes.Type(value = StealMessage.Handoff.class, name = "handoff")
})
public sealed interface StealMessage extends CborSerializable
        permits StealMessage.StealRequest, StealMessage.StealGranted, StealMessage.StealDenied, StealMessage.Handoff {

    /** An idle thief asks a busy victim for one not-started task it can serve. */
    record StealRequest(String thief, long requestId, List<String> thiefCapabilities) implements StealMessage {
        public StealRequest {
            Objects.requireNonNull(thief, "thief");
            thiefCapabilities = CapabilityMatch.normalize(thiefCapabilities);
        }
    }

    /** The victim removed {@code task} from its deque; the thief now owns it under the new attempt number. */
    record StealGranted(String victim, long requestId, QueuedTask task) implements StealMessage {
        public StealGranted {
            Objects.requireNonNull(victim, "victim");
            Objects.requireNonNull(task, "task");
        }
    }

    /**
     * The victim has no not-started task the thief can serve; {@code queued} is its queue length, so the thief skips
     * it until its queue grows (it holds only work the thief cannot serve).
     */
    record StealDenied(String victim, long requestId, int queued, String reason) implements StealMessage {
        public StealDenied {
            Objects.requireNonNull(victim, "victim");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** A queued task pushed to another agent by a load-balancer migration; the receiver now owns it. */
    record Handoff(String from, QueuedTask task) implements StealMessage {
        public Handoff {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(task, "task");
        }
    }
}

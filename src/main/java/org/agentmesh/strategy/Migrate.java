package org.agentmesh.strategy;

import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/** A load-balancer decision: move queued task {@code taskId} from agent {@code from} to agent {@code to}. */
public record Migrate(String taskId, String from, String to) implements CborSerializable {
    public Migrate {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }
}

package org.agentmesh.strategy;

import java.util.List;
import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * What a task needs: its id, the capabilities it requires (kept sorted and distinct), a priority (higher is more
 * urgent; informational for the strategies here) and its estimated cost in milliseconds of work.
 */
public record TaskRequirements(String taskId, List<String> requiredCapabilities, int priority, long estimatedCostMillis)
        implements CborSerializable {

    public TaskRequirements {
        Objects.requireNonNull(taskId, "taskId");
        if (taskId.isBlank()) {
            throw new IllegalArgumentException("taskId must not be blank");
        }
        requiredCapabilities = CapabilityMatch.normalize(requiredCapabilities);
        if (estimatedCostMillis < 0) {
            throw new IllegalArgumentException("estimatedCostMillis must be >= 0, was " + estimatedCostMillis);
        }
    }

    public static TaskRequirements of(String taskId, long estimatedCostMillis, String... required) {
        return new TaskRequirements(taskId, List.of(required), 0, estimatedCostMillis);
    }
}

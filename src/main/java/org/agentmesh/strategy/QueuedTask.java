package org.agentmesh.strategy;

import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * A task in an agent's deque, with its attempt number: 1 when first assigned, incremented each time the task moves
 * (stolen or migrated). The durable task record accepts a start or a result only from its latest attempt, so a stale
 * copy can never run concurrently with the current one.
 */
public record QueuedTask(TaskRequirements task, int attempt) implements CborSerializable {

    public QueuedTask {
        Objects.requireNonNull(task, "task");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }

    public String taskId() {
        return task.taskId();
    }

    public QueuedTask nextAttempt() {
        return new QueuedTask(task, attempt + 1);
    }
}

package org.agentmesh.strategy;

import java.util.Objects;

/** What a {@link WorkStealingCore} asks its shell to do. */
public sealed interface WorkStealingOutput {

    /** Send {@code message} to agent {@code to}. For a {@link StealMessage.StealRequest}, also arm a timeout. */
    record Send(String to, StealMessage message) implements WorkStealingOutput {
        public Send {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Run this task now (record the start under its attempt); report {@link WorkStealingInput.Finished} when done. */
    record Start(QueuedTask task) implements WorkStealingOutput {
        public Start {
            Objects.requireNonNull(task, "task");
        }
    }

    /** A migration could not be carried out: the task already started here, or is no longer here. */
    record ReleaseRefused(String taskId, String to, String reason) implements WorkStealingOutput {
        public ReleaseRefused {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(reason, "reason");
        }
    }
}

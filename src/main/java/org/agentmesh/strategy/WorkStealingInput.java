package org.agentmesh.strategy;

import java.util.List;
import java.util.Objects;

/** What the shell feeds a {@link WorkStealingCore} (local events; never sent over the wire). */
public sealed interface WorkStealingInput {

    /** A task the router assigned to this agent (attempt 1, or the attempt the task record holds). */
    record Assign(QueuedTask task) implements WorkStealingInput {
        public Assign {
            Objects.requireNonNull(task, "task");
        }
    }

    /** A task this agent started has finished (successfully or not): its slot is free. */
    record Finished(String taskId) implements WorkStealingInput {
        public Finished {
            Objects.requireNonNull(taskId, "taskId");
        }
    }

    /** The periodic tick with the latest view of the peers' loads: an idle agent may start a steal. */
    record Tick(List<AgentLoad> peers) implements WorkStealingInput {
        public Tick {
            peers = List.copyOf(peers);
        }
    }

    /** A message from another agent's core. */
    record Received(StealMessage message) implements WorkStealingInput {
        public Received {
            Objects.requireNonNull(message, "message");
        }
    }

    /** A load-balancer migration: hand {@code taskId} to {@code to} if it has not started. */
    record Release(String taskId, String to) implements WorkStealingInput {
        public Release {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(to, "to");
        }
    }

    /** The shell's timer for an unanswered steal request fired; the core may try another victim later. */
    record StealTimedOut(long requestId) implements WorkStealingInput {}

    /** The task was settled elsewhere (cancelled, or reassigned after a lost lease): drop it, queued or running. */
    record Withdraw(String taskId) implements WorkStealingInput {
        public Withdraw {
            Objects.requireNonNull(taskId, "taskId");
        }
    }
}

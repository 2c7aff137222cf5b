package org.agentmesh.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Runs one attempt of a task for an agent. Implementations must not block the calling (actor) thread: long or
 * blocking work goes to {@link Context#blocking()}, timers to {@code CompletableFuture.delayedExecutor}.
 */
public interface TaskExecutor {

    /** Where an attempt runs. {@code blocking} is a thread pool meant for blocking work (processes, I/O). */
    record Context(String swarmId, String agentId, int attempt, Executor blocking) {}

    /** The name tasks use in their {@code executor} field. */
    String kind();

    /** Refuses a payload this executor cannot run, naming the field; called at submission. */
    void validate(JsonNode payload, String field);

    /** Runs the attempt; the stage completes with the result, or exceptionally if the executor itself broke. */
    CompletionStage<TaskResult> execute(TaskSpec task, Context context);
}

package org.agentmesh.task;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.agentmesh.serialization.CborSerializable;

/** Chooses the agent of a task by the swarm's (or the task's) assignment strategy. */
public interface TaskRouter {

    // persisted inside TaskEntity.Routed: the subtype must be recorded to read it back
    @com.fasterxml.jackson.annotation.JsonTypeInfo(use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.NAME, property = "type")
    @com.fasterxml.jackson.annotation.JsonSubTypes({
            @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = Route.class, name = "route"),
            @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = NoCapableAgent.class, name = "no-capable-agent")
    })
    sealed interface Decision extends CborSerializable {}

    /** Send the task to {@code agentId}; {@code reason} says why (strategy, score). */
    record Route(String agentId, String reason) implements Decision {}

    /** No live agent can serve the task: it is rejected, never silently queued. */
    record NoCapableAgent(String reason) implements Decision {}

    /** @param exclude agents not to choose (e.g. the one whose lease just expired), unless no other can serve */
    CompletionStage<Decision> route(String swarmId, TaskSpec task, Set<String> exclude);
}

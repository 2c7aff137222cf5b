package org.agentmesh.swarm;

/** The swarm has no task with this id. */
public final class TaskNotFound extends RuntimeException {
    public TaskNotFound(String swarmId, String taskId) {
        super("swarm '" + swarmId + "' has no task '" + taskId + "'");
    }
}

package org.agentmesh.swarm;

/** A different task already has this id. */
public final class TaskIdConflict extends RuntimeException {
    public TaskIdConflict(String taskId) {
        super("task id '" + taskId + "' is taken by a different task");
    }
}

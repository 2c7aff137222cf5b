package org.agentmesh.swarm;

/** No live agent of the swarm can serve the task; nothing was recorded. */
public final class TaskRejected extends RuntimeException {
    public TaskRejected(String taskId, String reason) {
        super("task '" + taskId + "' rejected: " + reason);
    }
}

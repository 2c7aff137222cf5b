package org.agentmesh.swarm;

/** No active swarm has this id. */
public final class SwarmNotFound extends RuntimeException {
    public SwarmNotFound(String swarmId) {
        super("swarm '" + swarmId + "' not found");
    }
}

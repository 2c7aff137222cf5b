package org.agentmesh.swarm;

/** An active swarm already has this id. */
public final class SwarmAlreadyExists extends RuntimeException {
    public SwarmAlreadyExists(String swarmId) {
        super("swarm '" + swarmId + "' already exists");
    }
}

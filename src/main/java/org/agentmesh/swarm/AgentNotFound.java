package org.agentmesh.swarm;

/** The swarm has no agent with this id. */
public final class AgentNotFound extends RuntimeException {
    public AgentNotFound(String swarmId, String agentId) {
        super("swarm '" + swarmId + "' has no agent '" + agentId + "'");
    }
}

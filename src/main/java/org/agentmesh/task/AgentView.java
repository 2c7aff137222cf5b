package org.agentmesh.task;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.agentmesh.strategy.AgentLoad;

/**
 * What a worker or a router knows about the agents of a swarm: who they are, what they can do, how loaded they are.
 * Provided by the layer above (the swarm, later fed by gossip); a snapshot may be a little stale.
 */
public interface AgentView {

    CompletionStage<List<AgentLoad>> agents(String swarmId);
}

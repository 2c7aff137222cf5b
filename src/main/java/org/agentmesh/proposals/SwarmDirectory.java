package org.agentmesh.proposals;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.agentmesh.pbft.NodeKey;

/**
 * What the proposal shell needs from the swarm layer above it (implemented by {@code AgentMesh}): the members in join
 * order and the agents' keys, which live with each agent's persistent state.
 */
public interface SwarmDirectory {

    /** The swarm's members in join order; fails if the swarm does not exist. */
    CompletionStage<List<Voter>> members(String swarmId);

    /** The agent's key pair; without {@code withPrivate} the private part is empty. */
    CompletionStage<NodeKey> key(String swarmId, String agentId, boolean withPrivate);

    /** The agent's signature over the ballot (proposalId, agentId, choice), made where its key lives. */
    CompletionStage<String> signBallot(String swarmId, String agentId, String proposalId, Choice choice);
}

package org.agentmesh.proposals;

/** The swarm's ledger has no proposal with this id (f+1 replicas agree). */
public final class ProposalNotFound extends RuntimeException {
    public ProposalNotFound(String proposalId) {
        super("proposal '" + proposalId + "' not found");
    }
}

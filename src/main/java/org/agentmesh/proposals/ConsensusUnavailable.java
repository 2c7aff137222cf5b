package org.agentmesh.proposals;

/** The swarm has no pBFT committee (fewer than 4 agents), or the committee did not answer in time. */
public final class ConsensusUnavailable extends RuntimeException {
    public ConsensusUnavailable(String message) {
        super(message);
    }
}

package org.agentmesh.proposals;

/** How an agent decides its vote on a proposal. Pluggable; {@link ValidatingVotePolicy} is the default. */
@FunctionalInterface
public interface VotePolicy {
    Choice decide(String agentId, Proposal proposal, LiveAgents live);
}

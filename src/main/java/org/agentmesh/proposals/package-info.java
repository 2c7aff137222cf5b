/**
 * Proposals voted on by agents: the {@link org.agentmesh.proposals.ProposalLedger} state machine that pBFT orders
 * (so up to f lying replicas cannot forge or double-count votes), its commands, signed ballots, tallies and decisions,
 * and the pluggable {@link org.agentmesh.proposals.VotePolicy} by which an agent decides.
 */
package org.agentmesh.proposals;

package org.agentmesh.proposals;

import org.agentmesh.pbft.PbftMessage;

/** A pBFT message on the wire, between replicas and from replicas to clients (gateways or replicas' own clients). */
public record PbftEnvelope(PbftMessage message) implements PbftReplica.Command, ProposalGateway.Command {}

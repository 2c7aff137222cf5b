package org.agentmesh.proposals;

import org.agentmesh.serialization.CborSerializable;

/** A proposal's decision and tally; {@code decidedAtMillis} is 0 while OPEN; {@code reason} says why it was decided. */
public record ProposalStatus(String proposalId, Decision decision, Tally tally, double threshold, long deadlineMillis,
        long decidedAtMillis, String reason) implements CborSerializable {}

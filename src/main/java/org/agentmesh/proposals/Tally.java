package org.agentmesh.proposals;

import org.agentmesh.serialization.CborSerializable;

/** Votes that count: approvals and rejections among the current eligible voters; participation = voted / eligible. */
public record Tally(int approve, int reject, int eligible, double participation) implements CborSerializable {}

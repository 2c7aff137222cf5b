package org.agentmesh.proposals;

/** Where a proposal stands; APPROVED and REJECTED are final. */
public enum Decision { OPEN, APPROVED, REJECTED }

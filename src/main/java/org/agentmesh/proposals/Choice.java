package org.agentmesh.proposals;

/** A voter's choice. */
public enum Choice { APPROVE, REJECT }

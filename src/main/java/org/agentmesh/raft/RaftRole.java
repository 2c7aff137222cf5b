package org.agentmesh.raft;

/** The role a node plays in its current term. A learner is always a {@link #FOLLOWER}. */
public enum RaftRole { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER }

package org.agentmesh.raft;

/** Who leads in which term as this node sees it; {@code leader} is {@code ""} when unknown. */
public record LeaderState(long term, String leader, RaftRole role) {}

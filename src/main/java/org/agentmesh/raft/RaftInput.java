package org.agentmesh.raft;

/** Everything {@link RaftCore#step} accepts: a message from a peer, or a request from the local driver. */
public sealed interface RaftInput permits RaftMessage, LocalInput {}

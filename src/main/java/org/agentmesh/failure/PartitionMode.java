package org.agentmesh.failure;

/** NORMAL: this agent reaches a majority of the swarm and may write. READ_ONLY: it does not; writes are refused. */
public enum PartitionMode {
    NORMAL,
    READ_ONLY
}

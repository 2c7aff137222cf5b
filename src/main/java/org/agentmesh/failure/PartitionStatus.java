package org.agentmesh.failure;

/**
 * What {@link PartitionDetectorCore} knows now: its mode since {@code sinceMillis}, and how many of the swarm's
 * {@code known} agents (itself included) it reaches against the {@code needed} majority.
 */
public record PartitionStatus(PartitionMode mode, int reachable, int known, int needed, long sinceMillis) {

    public boolean inMajority() {
        return reachable >= needed;
    }
}

package org.agentmesh.failure;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's view of the partition mode of the agents it hosts (their {@link FailureDetectorMember}s write here), so
 * that a write arriving at this node is checked synchronously, without asking any actor.
 *
 * <p>A node hosting at least one NORMAL agent of the swarm accepts writes for it: it is on the majority side. A node
 * hosting agents of the swarm, all READ_ONLY, refuses. A node hosting none of them falls back to {@code clusterStatus}
 * (the node's own majority among cluster members), since it has no agent's view.
 */
public final class PartitionBoard {

    private final Map<String, Map<String, PartitionStatus>> bySwarm = new ConcurrentHashMap<>();

    public void update(String swarmId, String agentId, PartitionStatus status) {
        bySwarm.computeIfAbsent(swarmId, s -> new ConcurrentHashMap<>()).put(agentId, status);
    }

    public void remove(String swarmId, String agentId) {
        Map<String, PartitionStatus> agents = bySwarm.get(swarmId);
        if (agents != null) {
            agents.remove(agentId);
        }
    }

    /** The decision for a write to {@code swarmId} arriving at this node. */
    public WriteGuard.Decision check(String swarmId, PartitionStatus clusterStatus) {
        Map<String, PartitionStatus> agents = bySwarm.getOrDefault(swarmId, Map.of());
        if (agents.isEmpty()) {
            return WriteGuard.check(clusterStatus);
        }
        WriteGuard.Decision refused = null;
        for (PartitionStatus s : agents.values()) {
            WriteGuard.Decision d = WriteGuard.check(s);
            if (d.allowed()) {
                return d;
            }
            refused = d;
        }
        return refused;
    }

    /** How many local agents of {@code swarmId} are in {@code mode}. */
    public int count(String swarmId, PartitionMode mode) {
        return (int) bySwarm.getOrDefault(swarmId, Map.of()).values().stream().filter(s -> s.mode() == mode).count();
    }

    /** The mode of each local agent of {@code swarmId}. */
    public Map<String, PartitionStatus> local(String swarmId) {
        return Map.copyOf(bySwarm.getOrDefault(swarmId, Map.of()));
    }
}

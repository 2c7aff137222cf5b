package org.agentmesh.swarm;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents of each swarm that this node's failure detectors hold failed (declared or learned) and have not seen
 * alive since. The routing views consult it so that a confirmed failure takes effect at once: no new task is routed
 * to the agent and no refresh waits for its worker to time out. An agent that refutes or restarts is removed.
 */
final class FailedAgents {

    private final Map<String, Set<String>> bySwarm = new ConcurrentHashMap<>();

    /** Holds {@code agentId} failed; true if this node did not hold it failed already. */
    boolean failed(String swarmId, String agentId) {
        return bySwarm.computeIfAbsent(swarmId, s -> ConcurrentHashMap.newKeySet()).add(agentId);
    }

    void alive(String swarmId, String agentId) {
        Set<String> failed = bySwarm.get(swarmId);
        if (failed != null) {
            failed.remove(agentId);
        }
    }

    boolean isFailed(String swarmId, String agentId) {
        Set<String> failed = bySwarm.get(swarmId);
        return failed != null && failed.contains(agentId);
    }

    void forget(String swarmId) {
        bySwarm.remove(swarmId);
    }
}

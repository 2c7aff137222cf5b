package org.agentmesh.proposals;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The swarm's live agents and their capabilities, as a vote policy sees them when it decides. */
public record LiveAgents(Map<String, Set<String>> capabilities) {
    public LiveAgents {
        TreeMap<String, Set<String>> copy = new TreeMap<>();
        capabilities.forEach((agent, caps) -> copy.put(agent, Set.copyOf(caps)));
        capabilities = copy;
    }

    public boolean isLive(String agentId) {
        return capabilities.containsKey(agentId);
    }
}

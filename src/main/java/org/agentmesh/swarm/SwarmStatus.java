package org.agentmesh.swarm;

import java.util.List;
import java.util.Map;

/**
 * A swarm as its agents report it now. Counts are derived from {@code agents}, so they always agree:
 * {@code agentCount == active + unresponsive + other}, and {@code agentsPerNode} sums to {@code active}.
 */
public record SwarmStatus(
        String id,
        String topology,
        String strategy,
        int maxAgents,
        long createdAtMillis,
        int agentCount,
        int active,
        int unresponsive,
        Map<String, Integer> agentsPerNode,
        List<AgentStatus> agents) {

    /** One agent: where it runs and what it says about itself; {@code state} is "unresponsive" when it did not answer in time. */
    public record AgentStatus(
            String id,
            String node,
            String state,
            List<String> capabilities,
            int capacity,
            double load,
            double reputation,
            long restarts,
            Map<String, Long> counters) {}
}

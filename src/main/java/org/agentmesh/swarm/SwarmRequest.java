package org.agentmesh.swarm;

import java.util.List;

/**
 * A swarm init as a client sends it (HTTP body, CLI, MCP): every field optional. {@link SwarmSpecs#resolve} fills in
 * defaults and validates it into a {@link SwarmSpec}.
 *
 * @param id swarm id; generated when absent
 * @param topology overlay topology name (default {@code mesh})
 * @param maxAgents most agents the swarm may hold (default from config, 1..limit)
 * @param strategy assignment strategy name
 * @param agentCount how many agents to create when {@code agents} is absent (default: maxAgents)
 * @param capabilities capabilities of generated agents
 * @param agents explicit agents, each with id, capabilities and capacity
 */
public record SwarmRequest(
        String id,
        String topology,
        Integer maxAgents,
        String strategy,
        Integer agentCount,
        List<String> capabilities,
        List<AgentRequest> agents) {

    /** One agent of a swarm init; every field optional. */
    public record AgentRequest(String id, List<String> capabilities, Integer capacity) {}

    public static SwarmRequest of(String id, int maxAgents) {
        return new SwarmRequest(id, null, maxAgents, null, null, null, null);
    }
}

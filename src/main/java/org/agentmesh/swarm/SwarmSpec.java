package org.agentmesh.swarm;

import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/**
 * A swarm as asked for: its id, overlay topology, the most agents it may hold, its assignment strategy, and its
 * initial agents. Built by {@link SwarmSpecs}, which validates it; a spec that exists is valid.
 */
public record SwarmSpec(String id, Topology topology, int maxAgents, Strategy strategy, List<AgentSpec> agents)
        implements CborSerializable {

    public SwarmSpec {
        agents = List.copyOf(agents);
    }
}

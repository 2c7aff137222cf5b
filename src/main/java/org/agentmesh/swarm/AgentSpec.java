package org.agentmesh.swarm;

import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/** What an agent is when it joins a swarm: its id (unique in the swarm), what it can do, and how many tasks it runs at once. */
public record AgentSpec(String id, List<String> capabilities, int capacity) implements CborSerializable {

    public AgentSpec {
        capabilities = List.copyOf(capabilities);
    }
}

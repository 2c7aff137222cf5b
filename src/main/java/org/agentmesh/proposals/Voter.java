package org.agentmesh.proposals;

import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/** A swarm member as the proposal shell sees it: its id and capabilities (what a vote policy checks). */
public record Voter(String agentId, List<String> capabilities) implements CborSerializable {
    public Voter {
        capabilities = List.copyOf(capabilities);
    }
}

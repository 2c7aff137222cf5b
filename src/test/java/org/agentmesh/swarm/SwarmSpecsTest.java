package org.agentmesh.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SwarmSpecsTest {

    private static final SwarmSpecs.Defaults DEFAULTS = new SwarmSpecs.Defaults(8, 1000, Strategy.CAPABILITY, List.of("general"), 4);

    private static SwarmSpec resolve(SwarmRequest r) {
        return SwarmSpecs.resolve(r, DEFAULTS);
    }

    private static String fieldOf(SwarmRequest r) {
        return assertThrows(InvalidInput.class, () -> resolve(r)).field();
    }

    @Test
    void defaultsFollowTheSeed() {
        SwarmSpec s = resolve(new SwarmRequest(null, null, null, null, null, null, null));
        assertTrue(s.id().startsWith("swarm-"));
        assertEquals(Topology.MESH, s.topology());
        assertEquals(8, s.maxAgents());
        assertEquals(8, s.agents().size());
        assertEquals(Strategy.CAPABILITY, s.strategy());
        assertEquals(List.of("general"), s.agents().get(0).capabilities());
    }

    @Test
    void explicitAgentsKeepTheirIdsAndCapabilities() {
        SwarmSpec s = resolve(new SwarmRequest("s1", "mesh", 12, "round-robin", null, null, List.of(
                new SwarmRequest.AgentRequest("coder", List.of("code", "code", "test"), 2),
                new SwarmRequest.AgentRequest(null, null, null))));
        assertEquals(List.of(new AgentSpec("coder", List.of("code", "test"), 2), new AgentSpec("agent-2", List.of("general"), 4)), s.agents());
        assertEquals(Strategy.ROUND_ROBIN, s.strategy());
    }

    @Test
    void everyBadFieldIsNamed() {
        assertEquals("maxAgents", fieldOf(new SwarmRequest(null, null, 0, null, null, null, null)));
        assertEquals("maxAgents", fieldOf(new SwarmRequest(null, null, 1001, null, null, null, null)));
        assertEquals("topology", fieldOf(new SwarmRequest(null, "star-of-david", null, null, null, null, null)));
        assertEquals("strategy", fieldOf(new SwarmRequest(null, null, null, "vibes", null, null, null)));
        assertEquals("id", fieldOf(new SwarmRequest("../etc", null, null, null, null, null, null)));
        assertEquals("agentCount", fieldOf(new SwarmRequest(null, null, 3, null, 4, null, null)));
        assertEquals("agentCount", fieldOf(new SwarmRequest(null, null, null, null, -1, null, null)));
        assertEquals("capabilities[1]", fieldOf(new SwarmRequest(null, null, null, null, null, List.of("ok", "no spaces"), null)));
        assertEquals("agents[0].capacity", fieldOf(new SwarmRequest(null, null, null, null, null, null,
                List.of(new SwarmRequest.AgentRequest("a", null, 0)))));
        assertEquals("agents", fieldOf(new SwarmRequest(null, null, 1, null, null, null,
                List.of(new SwarmRequest.AgentRequest("a", null, null), new SwarmRequest.AgentRequest("b", null, null)))));
    }
}

package org.agentmesh.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.agentmesh.gossip.AggregateEstimate;
import org.agentmesh.gossip.GossipMember;
import org.agentmesh.gossip.GossipViews;
import org.agentmesh.gossip.PeerEntry;
import org.agentmesh.gossip.PeerStatus;
import org.agentmesh.strategy.AgentLoad;
import org.junit.jupiter.api.Test;

/** Routing's agent list taken from a local gossip view: loads, capabilities and liveness, or nothing if incomplete. */
class SwarmAgentViewGossipTest {

    private static final SwarmSpec SPEC = new SwarmSpec("s", Topology.MESH, 3, Strategy.CAPABILITY, List.of(
            new AgentSpec("a", List.of("general"), 2), new AgentSpec("b", List.of("general"), 4), new AgentSpec("c", List.of("general"), 1)));

    private static PeerEntry entry(String id, Set<String> caps, double load, double reputation, PeerStatus status) {
        return new PeerEntry(id, 10, 1, new TreeSet<>(caps), load, reputation, status, new TreeSet<>());
    }

    private static GossipMember.View view(String self, List<PeerEntry> peers) {
        return new GossipMember.View("s", self, true, peers, new AggregateEstimate(1, 0, 0, 3, true),
                new GossipMember.Stats(5, 1, 1, 1, peers.size(), peers.size(), 1, 0, -1, -1), 0);
    }

    @Test
    void loadsAndCapabilitiesComeFromTheMostCompleteLocalView() {
        GossipViews views = new GossipViews();
        views.publish(view("a", List.of(entry("a", Set.of("general"), 0, 0.5, PeerStatus.ALIVE))));
        views.publish(view("b", List.of(
                entry("a", Set.of("general", "gpu"), 1.5, 0.9, PeerStatus.ALIVE),   // 2 running + 1 queued of capacity 2
                entry("b", Set.of("general"), 0.25, 0.5, PeerStatus.SUSPECTED),   // 1 running of 4
                entry("c", Set.of("general"), 0, 0.5, PeerStatus.DEAD))));
        List<AgentLoad> agents = SwarmAgentView.fromGossip(views, SPEC).orElseThrow();
        Map<String, AgentLoad> by = agents.stream().collect(Collectors.toMap(AgentLoad::agentId, Function.identity()));
        assertEquals(List.of("a", "b", "c"), agents.stream().map(AgentLoad::agentId).toList(), "spec order");
        assertEquals(List.of("general", "gpu"), by.get("a").capabilities());
        assertEquals(2, by.get("a").running());
        assertEquals(1, by.get("a").queued());
        assertEquals(1.5, by.get("a").loadFactor(), 1e-9);
        assertEquals(0.9, by.get("a").performance(), 1e-9);
        assertEquals(1, by.get("b").running());
        assertEquals(0, by.get("b").queued());
        assertTrue(by.get("b").live(), "suspected still counts as live");
        assertFalse(by.get("c").live());
    }

    @Test
    void aViewThatMissesAMemberIsNotUsed() {
        GossipViews views = new GossipViews();
        assertTrue(SwarmAgentView.fromGossip(views, SPEC).isEmpty(), "no local member");
        views.publish(view("a", List.of(entry("a", Set.of("general"), 0, 0.5, PeerStatus.ALIVE),
                entry("b", Set.of("general"), 0, 0.5, PeerStatus.ALIVE))));
        assertTrue(SwarmAgentView.fromGossip(views, SPEC).isEmpty(), "c is missing");
    }
}

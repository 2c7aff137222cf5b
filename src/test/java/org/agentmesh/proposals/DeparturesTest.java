package org.agentmesh.proposals;

import static org.agentmesh.proposals.ProposalTestSupport.join;
import static org.agentmesh.proposals.ProposalTestSupport.request;
import static org.agentmesh.proposals.ProposalTestSupport.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Departures through pBFT, in-JVM: five agents on two nodes, the committee d1..d4, and d4's replica dead (the silent
 * test hook: it sends nothing, as a crashed replica). Reported departures are ordered by the committee: a departed
 * agent's vote stops counting and open proposals are recounted at that point on every replica; new proposals count
 * only the live agents; the three live replicas keep deciding (f = 1 is used up: the metrics say it tolerates 0 more),
 * and the members the dead replica voted for are taken over.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeparturesTest {

    private static final String SWARM = "d";

    private MeshTestCluster cluster;
    private AgentMesh mesh;

    @BeforeAll
    void start() {
        cluster = MeshTestCluster.start(2, Map.of(
                "agent-mesh.pbft.test-hooks.enabled", "on",
                "agent-mesh.pbft.test-hooks.byzantine-modes", Map.of("\"" + SWARM + ":d4\"", "silent"), // quoted: map keys are config paths
                "agent-mesh.pbft.request-timeout", "1s",
                "agent-mesh.pbft.view-change-timeout", "1s"));
        mesh = cluster.node(0).mesh();
        join(mesh.createSwarm(new SwarmRequest(SWARM, null, 5, null, null, null, List.of(
                new SwarmRequest.AgentRequest("d1", List.of("code"), 1),
                new SwarmRequest.AgentRequest("d2", List.of("code"), 1),
                new SwarmRequest.AgentRequest("d3", List.of("docs"), 1),
                new SwarmRequest.AgentRequest("d4", List.of("code"), 1),
                new SwarmRequest.AgentRequest("d5", List.of("code"), 1)))));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void departedAgentsVotesStopCountingAndTheCommitteeKeepsDecidingWithoutItsDeadReplica() {
        join(mesh.propose(SWARM, request("manual", "{\"question\":\"ship it?\",\"autoVote\":false}", Optional.of(0.6))));
        join(mesh.vote(SWARM, "manual", "d5", Choice.APPROVE, Optional.empty()));
        ProposalStatus two = join(mesh.vote(SWARM, "manual", "d1", Choice.APPROVE, Optional.empty()));
        assertEquals(new Tally(2, 0, 5, 0.4), two.tally(), "needs ceil(0.6 * 5) = 3");
        assertEquals(Decision.OPEN, two.decision());

        // d5 leaves: its approval no longer counts; 1 of 4, needs 3
        join(mesh.agentDeparted(SWARM, "d5"));
        ProposalStatus after = awaitStatus(mesh, SWARM, "manual", Duration.ofSeconds(60), s -> s.tally().eligible() == 4);
        assertEquals(1, after.tally().approve(), after::toString);
        assertEquals(Decision.OPEN, after.decision());
        // d4's replica is dead and the failure detector confirmed it: reported twice, as two detectors would
        join(mesh.agentDeparted(SWARM, "d4"));
        join(mesh.agentDeparted(SWARM, "d4"));
        ProposalStatus three = awaitStatus(mesh, SWARM, "manual", Duration.ofSeconds(60), s -> s.tally().eligible() == 3);
        assertEquals(Decision.OPEN, three.decision(), "1 of 3, needs ceil(0.6 * 3) = 2");
        assertTrue(refused(() -> join(mesh.vote(SWARM, "manual", "d5", Choice.APPROVE, Optional.empty()))),
                "a departed agent cannot vote");
        ProposalStatus decided = join(mesh.vote(SWARM, "manual", "d2", Choice.APPROVE, Optional.empty()));
        assertEquals(Decision.APPROVED, decided.decision(), decided::toString);
        assertEquals(new Tally(2, 0, 3, 2 / 3.0), decided.tally());

        // a new proposal counts the live agents only, and the members the dead d4 spoke for are now d1..d3's
        join(mesh.propose(SWARM, request("assign", "{\"task_assignment\":\"build\",\"assigned_to\":\"d2\","
                + "\"required_capabilities\":[\"code\"]}", Optional.of(0.67))));
        ProposalStatus assign = awaitStatus(mesh, SWARM, "assign", Duration.ofSeconds(60), s -> s.decision() != Decision.OPEN);
        assertEquals(Decision.APPROVED, assign.decision(), assign::toString);
        assertEquals(new Tally(3, 0, 3, 1.0), assign.tally());

        ConsensusMetrics m = join(mesh.consensus(SWARM));
        assertEquals(4, m.n());
        assertEquals(1, m.f());
        assertEquals(List.of("d4"), m.down(), m::toString);
        assertEquals(3, m.live());
        assertEquals(0, m.fTolerated(), "one replica down uses up the one fault four replicas tolerate");
        assertTrue(m.canDecide());
        assertFalse(m.replicas().isEmpty());

        // back again: eligible for what is proposed from now on
        join(mesh.agentRejoined(SWARM, "d5"));
        ProposalStatus later = join(mesh.propose(SWARM, request("later", "{\"q\":1,\"autoVote\":false}", Optional.of(0.5))));
        assertEquals(4, later.tally().eligible(), later::toString);
    }

    private static boolean refused(Runnable call) {
        try {
            call.run();
            return false;
        } catch (AssertionError e) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof CommandRefused) {
                    return true;
                }
            }
            throw e;
        }
    }
}

package org.agentmesh.proposals;

import static org.agentmesh.proposals.ProposalTestSupport.join;
import static org.agentmesh.proposals.ProposalTestSupport.request;
import static org.agentmesh.proposals.ProposalTestSupport.awaitDecided;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.agentmesh.pbft.NodeKey;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Four agents on two nodes, the first of them (the primary of view 0) byzantine by the test hook: it signs its protocol
 * messages wrongly, lies in its replies to clients, votes against its policy, votes twice and forges a vote for another
 * agent. Proposals still decide as the three correct agents' votes say, the committee changes view away from the liar,
 * and the ledger refuses second votes and votes not signed by the voter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ByzantineProposalsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SWARM = "b";

    private MeshTestCluster cluster;
    private AgentMesh mesh;

    @BeforeAll
    void start() {
        cluster = MeshTestCluster.start(2, Map.of(
                "agent-mesh.pbft.test-hooks.enabled", "on",
                "agent-mesh.pbft.test-hooks.byzantine-agents", List.of(SWARM + ":a1"),
                "agent-mesh.pbft.test-hooks.byzantine-mode", "forge",
                "agent-mesh.pbft.request-timeout", "1s",
                "agent-mesh.pbft.view-change-timeout", "1s"));
        mesh = cluster.node(0).mesh();
        List<SwarmRequest.AgentRequest> agents = List.of(
                new SwarmRequest.AgentRequest("a1", List.of("code"), 1),
                new SwarmRequest.AgentRequest("a2", List.of("code", "test"), 1),
                new SwarmRequest.AgentRequest("a3", List.of("docs"), 1),
                new SwarmRequest.AgentRequest("a4", List.of("code"), 1));
        join(mesh.createSwarm(new SwarmRequest(SWARM, null, 4, null, null, null, agents)));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void aValidAssignmentIsApprovedByTheCorrectAgentsDespiteTheLiar() {
        ProposalStatus opened = join(mesh.propose(SWARM, request("assign-ok",
                "{\"task_assignment\":\"build\",\"assigned_to\":\"a2\",\"required_capabilities\":[\"code\"]}")));
        assertEquals("assign-ok", opened.proposalId());
        ProposalStatus decided = awaitDecided(mesh, SWARM, "assign-ok", Duration.ofSeconds(30));
        assertEquals(Decision.APPROVED, decided.decision(), decided::toString);
        assertEquals(4, decided.tally().eligible());
        assertTrue(decided.tally().approve() >= 3, decided::toString);

        ConsensusMetrics metrics = join(mesh.consensus(SWARM));
        assertEquals(4, metrics.n());
        assertEquals(1, metrics.f());
        assertTrue(metrics.viewChangesCompleted() >= 1, () -> "the forging primary was not replaced: " + metrics);
        assertTrue(metrics.dropped().getOrDefault("BAD_SIGNATURE", 0L) > 0, metrics::toString);
        assertTrue(metrics.decisions() >= 1 && metrics.decisionLatencyMillis().count() >= 1, metrics::toString);
        // the liar's second vote and its vote forged for a2 were both refused by the ledger
        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> join(mesh.consensus(SWARM)).replicas().stream()
                .anyMatch(r -> r.byzantine() && r.votesRefused() >= 2));
    }

    @Test
    void anAssignmentToAnIncapableAgentIsRejectedEarly() {
        join(mesh.propose(SWARM, request("assign-bad",
                "{\"task_assignment\":\"train\",\"assigned_to\":\"a3\",\"required_capabilities\":[\"gpu\"]}")));
        ProposalStatus decided = awaitDecided(mesh, SWARM, "assign-bad", Duration.ofSeconds(30));
        assertEquals(Decision.REJECTED, decided.decision(), decided::toString);
        assertTrue(decided.reason().startsWith("approval can no longer reach"), decided::toString);
        assertTrue(decided.decidedAtMillis() < decided.deadlineMillis(), "rejected early, before the deadline");
    }

    @Test
    void aSecondVoteAndAVoteSignedByAnotherKeyAreRefused() {
        join(mesh.propose(SWARM, request("manual", "{\"question\":\"ship it?\",\"autoVote\":false}")));
        ProposalStatus first = join(mesh.vote(SWARM, "manual", "a2", Choice.APPROVE, Optional.empty()));
        assertEquals(1, first.tally().approve());
        assertEquals(Decision.OPEN, first.decision());

        CommandRefused again = refusal(() -> join(mesh.vote(SWARM, "manual", "a2", Choice.REJECT, Optional.empty())));
        assertEquals(CommandRefused.Kind.CONFLICT, again.kind(), again.getMessage());
        assertTrue(again.getMessage().contains("already voted"), again.getMessage());

        // a ballot for a3 signed by some other key (here a fresh one) does not count
        NodeKey other = NodeKey.generate("a3", new java.security.SecureRandom());
        String forged = new Ballot("manual", "a3", Choice.APPROVE).sign(other.decodePrivate());
        CommandRefused forgedVote = refusal(() -> join(mesh.vote(SWARM, "manual", "a3", Choice.APPROVE, Optional.of(forged))));
        assertEquals(CommandRefused.Kind.FORBIDDEN, forgedVote.kind(), forgedVote.getMessage());

        join(mesh.vote(SWARM, "manual", "a3", Choice.APPROVE, Optional.empty()));
        ProposalStatus last = join(mesh.vote(SWARM, "manual", "a4", Choice.APPROVE, Optional.empty()));
        assertEquals(Decision.APPROVED, last.decision(), last::toString);
        assertEquals(3, last.tally().approve());
        assertEquals(Decision.APPROVED, awaitDecided(mesh, SWARM, "manual", Duration.ofSeconds(30)).decision());
    }

    private static CommandRefused refusal(Runnable call) {
        AssertionError e = assertThrows(AssertionError.class, call::run);
        Throwable cause = e.getCause();
        while (cause != null && !(cause instanceof CommandRefused)) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof CommandRefused, () -> "not refused by the ledger: " + e);
        return (CommandRefused) cause;
    }
}

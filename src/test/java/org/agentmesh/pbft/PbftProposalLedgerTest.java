package org.agentmesh.pbft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.agentmesh.pbft.Byzantine.Kind;
import org.agentmesh.pbft.PbftSimCluster.Scenario;
import org.agentmesh.proposals.Ballot;
import org.agentmesh.proposals.Choice;
import org.agentmesh.proposals.Decision;
import org.agentmesh.proposals.LiveAgents;
import org.agentmesh.proposals.ProposalCodec;
import org.agentmesh.proposals.ProposalCommand;
import org.agentmesh.proposals.ProposalLedger;
import org.agentmesh.proposals.ProposalResult;
import org.agentmesh.proposals.ValidatingVotePolicy;
import org.junit.jupiter.api.Test;

/**
 * The proposal ledger replicated by pBFT on the simulator (Ed25519, a forging replica, a lossy network): agents register,
 * one proposes a task assignment, every agent votes by the {@link ValidatingVotePolicy}, one agent tries to vote twice
 * and another to vote in someone else's name. Every correct replica ends with the same ledger and the same decision.
 */
class PbftProposalLedgerTest {

    @Test
    void agentsDecideAProposalThroughPbftDespiteAForgingReplica() throws Exception {
        ProposalCodec codec = new ProposalCodec();
        Map<String, ProposalLedger> ledgers = new HashMap<>();
        Scenario scenario = new Scenario(4, Map.of(2, Kind.FORGER), true, 0.05, 4, 0, 8, 0);
        PbftSimCluster c = new PbftSimCluster(scenario, 11, id -> ledgers.computeIfAbsent(id, k -> new ProposalLedger()));
        c.start();
        List<String> agents = List.of("c0", "c1", "c2", "c3");
        for (String a : agents) {
            c.submit(a, codec.encode(new ProposalCommand.RegisterAgent(a, c.nodeKeys.get(a).encodedPublicKey(), c.sim.now())));
        }
        assertTrue(c.sim.runUntil(c::allClientsDone, 60_000));
        var proposal = new ObjectMapper().readTree("{\"task_assignment\":\"code-review\",\"assigned_to\":\"c1\"}");
        c.submit("c0", codec.encode(ProposalCommand.Propose.of("p1", "c0", proposal, c.sim.now() + 30_000, agents, c.sim.now())));
        assertTrue(c.sim.runUntil(c::allClientsDone, c.sim.now() + 60_000));
        ProposalResult proposed = codec.decodeResult(c.accepted.get("c0").get(1));
        assertTrue(proposed.accepted(), proposed.reason());
        c.sim.runFor(3_000);

        LiveAgents live = new LiveAgents(Map.of("c0", Set.of("planning"), "c1", Set.of("code-review", "java"),
                "c2", Set.of("testing"), "c3", Set.of("docs")));
        ValidatingVotePolicy policy = new ValidatingVotePolicy();
        var stored = ledgers.get("r0").proposal("p1").orElseThrow();
        for (String a : List.of("c0", "c1", "c3")) {
            Choice choice = policy.decide(a, stored, live);
            assertEquals(Choice.APPROVE, choice);
            String sig = new Ballot("p1", a, choice).sign(c.nodeKeys.get(a).decodePrivate());
            c.submit(a, codec.encode(new ProposalCommand.Vote("p1", a, choice, sig, c.sim.now())));
        }
        // c2 signs a vote in c3's name; c3 then tries to vote again
        String forged = new Ballot("p1", "c3", Choice.REJECT).sign(c.nodeKeys.get("c2").decodePrivate());
        c.submit("c2", codec.encode(new ProposalCommand.Vote("p1", "c3", Choice.REJECT, forged, c.sim.now())));
        String again = new Ballot("p1", "c3", Choice.REJECT).sign(c.nodeKeys.get("c3").decodePrivate());
        c.submit("c3", codec.encode(new ProposalCommand.Vote("p1", "c3", Choice.REJECT, again, c.sim.now())));
        assertTrue(c.sim.runUntil(c::allClientsDone, c.sim.now() + 60_000));
        c.sim.runFor(3_000); // let every correct replica execute everything

        ProposalResult forgedResult = codec.decodeResult(c.accepted.get("c2").get(1));
        assertFalse(forgedResult.accepted());
        assertTrue(forgedResult.reason().contains("signature"), forgedResult.reason());
        List<String> c3results = c.accepted.get("c3");
        ProposalResult second = codec.decodeResult(c3results.get(c3results.size() - 1));
        assertFalse(second.accepted(), "c3's second vote must be refused: " + second);

        String reference = null;
        for (String r : List.of("r0", "r1", "r3")) {
            ProposalLedger ledger = ledgers.get(r);
            var status = ledger.status("p1").orElseThrow();
            assertEquals(Decision.APPROVED, status.decision(), r);
            assertEquals(3, status.tally().approve());
            assertEquals(0, status.tally().reject());
            if (reference == null) {
                reference = ledger.snapshot();
            }
            assertEquals(reference, ledger.snapshot(), "ledger of " + r);
        }
        assertTrue(c.correctDrops().getOrDefault(DropReason.BAD_SIGNATURE, 0L) > 0);
    }
}

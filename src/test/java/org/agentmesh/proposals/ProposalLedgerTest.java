package org.agentmesh.proposals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.pbft.NodeKey;
import org.agentmesh.proposals.ProposalCommand.AgentDeparted;
import org.agentmesh.proposals.ProposalCommand.Propose;
import org.agentmesh.proposals.ProposalCommand.RegisterAgent;
import org.agentmesh.proposals.ProposalCommand.Tick;
import org.agentmesh.proposals.ProposalCommand.Vote;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProposalLedgerTest {

    static final Map<String, NodeKey> KEYS = new TreeMap<>();

    static {
        var random = NodeKey.seededRandom(42);
        for (String a : List.of("a1", "a2", "a3", "a4", "a5")) {
            KEYS.put(a, NodeKey.generate(a, random));
        }
    }

    final ObjectMapper json = new ObjectMapper();
    ProposalLedger ledger;
    final List<ProposalCommand> history = new ArrayList<>();

    @BeforeEach
    void registerAgents() {
        ledger = new ProposalLedger();
        KEYS.values().forEach(k -> assertTrue(apply(new RegisterAgent(k.id(), k.encodedPublicKey(), 1)).accepted()));
    }

    ProposalResult apply(ProposalCommand c) {
        history.add(c);
        return ledger.apply(c);
    }

    JsonNode proposal() {
        try {
            return json.readTree("{\"task_assignment\":\"code-review\",\"assigned_to\":\"a2\"}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Vote vote(String proposalId, String agent, Choice choice, long now) {
        String sig = new Ballot(proposalId, agent, choice).sign(KEYS.get(agent).decodePrivate());
        return new Vote(proposalId, agent, choice, sig, now);
    }

    void propose(String id, double threshold, List<String> voters) {
        ProposalResult r = apply(new Propose(id, "a1", proposal(), threshold, 1_000, voters, 10));
        assertTrue(r.accepted(), r.reason());
    }

    Decision decision(String id) {
        return ledger.status(id).orElseThrow().decision();
    }

    @Test
    void approvedOnceApprovalsReachTheThresholdOfEligibleVoters() {
        propose("p", 0.67, List.of("a1", "a2", "a3")); // 0.67 * 3 = 2.01: needs 3
        apply(vote("p", "a1", Choice.APPROVE, 20));
        apply(vote("p", "a2", Choice.APPROVE, 21));
        assertEquals(Decision.OPEN, decision("p"), "2 of 3 is below 0.67");
        apply(vote("p", "a3", Choice.APPROVE, 22));
        ProposalStatus s = ledger.status("p").orElseThrow();
        assertEquals(Decision.APPROVED, s.decision());
        assertEquals(new Tally(3, 0, 3, 1.0), s.tally());
        assertEquals(22, s.decidedAtMillis());
    }

    @Test
    void aLowerThresholdNeedsFewerApprovals() {
        propose("p", 0.5, List.of("a1", "a2", "a3", "a4"));
        apply(vote("p", "a1", Choice.APPROVE, 20));
        assertEquals(Decision.OPEN, decision("p"));
        apply(vote("p", "a4", Choice.APPROVE, 21));
        assertEquals(Decision.APPROVED, decision("p"));
        assertEquals(0.5, ledger.status("p").orElseThrow().tally().participation());
    }

    @Test
    void rejectedEarlyOnceApprovalCanNoLongerReachTheThreshold() {
        propose("p", 0.67, List.of("a1", "a2", "a3", "a4", "a5")); // needs 4 of 5
        apply(vote("p", "a1", Choice.REJECT, 20));
        assertEquals(Decision.OPEN, decision("p"), "4 approvals are still possible");
        apply(vote("p", "a2", Choice.REJECT, 21));
        assertEquals(Decision.REJECTED, decision("p"), "at most 3 approvals left, 4 needed");
        assertTrue(ledger.status("p").orElseThrow().reason().contains("can no longer"));
        ProposalResult late = apply(vote("p", "a3", Choice.APPROVE, 22));
        assertFalse(late.accepted(), "a decided proposal takes no more votes");
    }

    @Test
    void aSecondVoteByTheSameAgentIsRefused() {
        propose("p", 0.67, List.of("a1", "a2", "a3"));
        assertTrue(apply(vote("p", "a1", Choice.REJECT, 20)).accepted());
        assertEquals(Decision.REJECTED, decision("p"));
        propose("q", 0.5, List.of("a1", "a2", "a3", "a4"));
        assertTrue(apply(vote("q", "a1", Choice.APPROVE, 20)).accepted());
        ProposalResult again = apply(vote("q", "a1", Choice.APPROVE, 21));
        ProposalResult flip = apply(vote("q", "a1", Choice.REJECT, 22));
        assertFalse(again.accepted());
        assertFalse(flip.accepted());
        assertTrue(again.reason().contains("already voted"), again.reason());
        assertEquals(new Tally(1, 0, 4, 0.25), ledger.status("q").orElseThrow().tally());
    }

    @Test
    void votesWithBadSignaturesOrFromIneligibleAgentsAreRefused() {
        propose("p", 0.5, List.of("a1", "a2", "a3", "a4"));
        Vote honest = vote("p", "a2", Choice.REJECT, 20);
        // a2's signature for REJECT presented as an APPROVE
        assertFalse(apply(new Vote("p", "a2", Choice.APPROVE, honest.signature(), 20)).accepted());
        // a1 signs a vote claiming to be a3
        String a1sig = new Ballot("p", "a3", Choice.APPROVE).sign(KEYS.get("a1").decodePrivate());
        ProposalResult forged = apply(new Vote("p", "a3", Choice.APPROVE, a1sig, 20));
        assertFalse(forged.accepted());
        assertTrue(forged.reason().contains("bad signature"), forged.reason());
        // a signature for another proposal
        Vote other = vote("other", "a4", Choice.APPROVE, 20);
        assertFalse(apply(new Vote("p", "a4", Choice.APPROVE, other.signature(), 20)).accepted());
        assertFalse(apply(new Vote("p", "a4", Choice.APPROVE, "not base64!", 20)).accepted());
        assertFalse(apply(vote("p", "a5", Choice.APPROVE, 20)).accepted(), "a5 is not eligible");
        assertEquals(new Tally(0, 0, 4, 0.0), ledger.status("p").orElseThrow().tally());
        assertTrue(apply(honest).accepted(), "the real vote still counts afterwards");
    }

    @Test
    void aDepartedAgentsVoteNoLongerCountsAndItLeavesTheEligibleSet() {
        propose("p", 0.5, List.of("a1", "a2", "a3", "a4")); // needs 2
        apply(vote("p", "a1", Choice.APPROVE, 20));
        apply(new AgentDeparted("a1", 30));
        assertEquals(new Tally(0, 0, 3, 0.0), ledger.status("p").orElseThrow().tally());
        assertEquals(Decision.OPEN, decision("p"));
        assertFalse(apply(vote("p", "a1", Choice.APPROVE, 31)).accepted(), "departed agents are no longer eligible");
        // the caller names every member; the ledger leaves out the ones that departed at this point of the order
        assertTrue(apply(new Propose("p2", "a2", proposal(), 0.5, 1_000, List.of("a1", "a2", "a3"), 32)).accepted());
        assertEquals(List.of("a2", "a3"), ledger.proposal("p2").orElseThrow().eligible(),
                "a departed agent cannot be made eligible");
        assertFalse(apply(vote("p2", "a1", Choice.APPROVE, 33)).accepted());
        assertFalse(apply(new Propose("p3", "a2", proposal(), 0.5, 1_000, List.of("a1"), 34)).accepted(),
                "no live voter left");
        assertFalse(apply(new Propose("p4", "a1", proposal(), 0.5, 1_000, List.of("a2"), 34)).accepted(),
                "a departed agent cannot propose");
    }

    @Test
    void theThresholdIsAFractionOfTheLiveAgentsAndDeparturesRecountOpenProposals() {
        apply(new AgentDeparted("a5", 5));
        propose("p", 0.75, List.of("a1", "a2", "a3", "a4", "a5")); // live: a1..a4, needs 3 of 4
        assertEquals(new Tally(0, 0, 4, 0.0), ledger.status("p").orElseThrow().tally());
        apply(vote("p", "a1", Choice.APPROVE, 20));
        apply(vote("p", "a2", Choice.APPROVE, 21));
        apply(vote("p", "a3", Choice.REJECT, 22));
        assertEquals(Decision.OPEN, decision("p"), "a4 can still make it 3 of 4");
        // a2 fails: its approval no longer counts; 1 approval + a4 cannot reach ceil(0.75 * 3) = 3
        ProposalResult r = apply(new AgentDeparted("a2", 30));
        assertEquals(Decision.REJECTED, decision("p"));
        ProposalStatus s = ledger.status("p").orElseThrow();
        assertEquals(new Tally(1, 1, 3, 2 / 3.0), s.tally());
        assertTrue(s.reason().startsWith("approval can no longer reach 3 of 3"), s.reason());
        assertEquals(30, s.decidedAtMillis(), "rejected early, at the departure, long before the deadline");
        assertEquals(List.of(s), r.statuses());
    }

    @Test
    void registeringAgainDoesNotUndoADepartureButARejoinDoes() {
        apply(new AgentDeparted("a4", 5));
        assertTrue(apply(new AgentDeparted("a4", 6)).accepted(), "a second report of the same failure is harmless");
        // a new gateway registers every member again
        assertTrue(apply(new RegisterAgent("a4", KEYS.get("a4").encodedPublicKey(), 7)).accepted());
        assertFalse(ledger.isRegistered("a4"));
        assertEquals(java.util.Set.of("a4"), ledger.departed());
        propose("p", 0.5, List.of("a1", "a2", "a3", "a4"));
        assertEquals(List.of("a1", "a2", "a3"), ledger.proposal("p").orElseThrow().eligible());

        assertTrue(apply(new ProposalCommand.AgentRejoined("a4", 20)).accepted());
        assertTrue(ledger.isRegistered("a4"));
        assertEquals(List.of("a1", "a2", "a3"), ledger.proposal("p").orElseThrow().eligible(),
                "open proposals keep the live set they had");
        propose("q", 0.5, List.of("a1", "a2", "a3", "a4"));
        assertEquals(List.of("a1", "a2", "a3", "a4"), ledger.proposal("q").orElseThrow().eligible());
        assertFalse(apply(new ProposalCommand.AgentRejoined("nobody", 21)).accepted());
        assertFalse(apply(new AgentDeparted("nobody", 21)).accepted());
    }

    @Test
    void aDepartureCanDecideAProposal() {
        propose("p", 0.67, List.of("a1", "a2", "a3")); // needs 3 of 3
        apply(vote("p", "a1", Choice.APPROVE, 20));
        apply(vote("p", "a2", Choice.APPROVE, 21));
        assertEquals(Decision.OPEN, decision("p"));
        ProposalResult r = apply(new AgentDeparted("a3", 40)); // needs ceil(0.67 * 2) = 2 of 2
        assertEquals(Decision.APPROVED, decision("p"));
        assertEquals(List.of(ledger.status("p").orElseThrow()), r.statuses());
        assertEquals(40, ledger.status("p").orElseThrow().decidedAtMillis());
    }

    @Test
    void openProposalsCloseAsRejectedAtTheirDeadline() {
        propose("p", 0.5, List.of("a1", "a2", "a3", "a4"));
        apply(vote("p", "a1", Choice.APPROVE, 20));
        apply(new Tick(999));
        assertEquals(Decision.OPEN, decision("p"));
        ProposalResult r = apply(new Tick(1_000));
        assertEquals(Decision.REJECTED, decision("p"));
        assertEquals(1, r.statuses().size());
        assertEquals(1_000, ledger.status("p").orElseThrow().decidedAtMillis());
        assertFalse(apply(vote("p", "a2", Choice.APPROVE, 1_001)).accepted());
    }

    @Test
    void aVoteStampedAfterTheDeadlineClosesTheProposalInsteadOfCounting() {
        propose("p", 0.5, List.of("a1", "a2", "a3", "a4"));
        apply(vote("p", "a1", Choice.APPROVE, 20));
        ProposalResult late = apply(vote("p", "a2", Choice.APPROVE, 1_000));
        assertFalse(late.accepted());
        assertEquals(Decision.REJECTED, decision("p"));
        assertEquals(1, ledger.status("p").orElseThrow().tally().approve());
    }

    @Test
    void recentListsTheNewestProposalsFirstWithTheirStatus() {
        for (int i = 0; i < 5; i++) {
            assertTrue(apply(new Propose("r" + i, "a1", proposal(), 0.5, 1_000, List.of("a1", "a2"), 10 + i)).accepted());
        }
        assertTrue(apply(vote("r1", "a1", Choice.APPROVE, 20)).accepted());
        List<ProposalStatus> recent = ledger.recent(3);
        assertEquals(List.of("r4", "r3", "r2"), recent.stream().map(ProposalStatus::proposalId).toList());
        assertEquals(ledger.status("r3").orElseThrow(), recent.get(1));
        assertEquals(Decision.APPROVED, ledger.recent(5).get(3).decision(), "r1, decided by a1's approval at 0.5 of 2");
        assertEquals(5, ledger.recent(100).size());
    }

    @Test
    void invalidProposalsAreRefused() {
        assertFalse(apply(new Propose("x", "a1", proposal(), 0, 1_000, List.of("a1"), 10)).accepted());
        assertFalse(apply(new Propose("x", "a1", proposal(), 1.5, 1_000, List.of("a1"), 10)).accepted());
        assertFalse(apply(new Propose("x", "a1", proposal(), 0.5, 10, List.of("a1"), 10)).accepted(), "deadline not after now");
        assertFalse(apply(new Propose("x", "a1", proposal(), 0.5, 1_000, List.of(), 10)).accepted());
        assertFalse(apply(new Propose("x", "a1", proposal(), 0.5, 1_000, List.of("a1", "a1"), 10)).accepted());
        assertFalse(apply(new Propose("x", "nobody", proposal(), 0.5, 1_000, List.of("a1"), 10)).accepted());
        assertFalse(apply(new Propose("x", "a1", json.getNodeFactory().textNode("hi"), 0.5, 1_000, List.of("a1"), 10)).accepted());
        assertTrue(ledger.status("x").isEmpty());
        propose("x", 0.5, List.of("a1"));
        assertFalse(apply(new Propose("x", "a1", proposal(), 0.5, 1_000, List.of("a1"), 10)).accepted(), "duplicate id");
        assertEquals(ProposalCommand.DEFAULT_THRESHOLD,
                Propose.of("y", "a1", proposal(), 1_000, List.of("a1"), 10).threshold());
    }

    @Test
    void theSameCommandsGiveTheSameStateAndSnapshotsRestoreIt() {
        propose("p", 0.67, List.of("a1", "a2", "a3", "a4", "a5"));
        apply(vote("p", "a1", Choice.APPROVE, 20));
        apply(vote("p", "a2", Choice.REJECT, 21));
        apply(new AgentDeparted("a5", 22));
        propose("q", 0.5, List.of("a2", "a3"));
        ProposalCodec codec = new ProposalCodec();
        ProposalLedger replay = new ProposalLedger();
        for (ProposalCommand c : history) {
            // through the wire format pBFT orders
            String result = replay.execute("client", codec.encode(c), 1);
            assertTrue(codec.decodeResult(result) != null);
        }
        assertEquals(ledger.snapshot(), replay.snapshot());
        ProposalLedger restored = new ProposalLedger();
        restored.restore(ledger.snapshot());
        assertEquals(ledger.snapshot(), restored.snapshot());
        assertEquals(ledger.status("p"), restored.status("p"));
        assertTrue(restored.apply(vote("p", "a3", Choice.APPROVE, 30)).accepted(), "restored keys verify votes");
        assertFalse(codec.decodeResult(replay.execute("client", "{not json", 2)).accepted());
    }
}

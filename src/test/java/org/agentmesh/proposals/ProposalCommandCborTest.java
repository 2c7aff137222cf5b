package org.agentmesh.proposals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.agentmesh.pbft.NodeKey;
import org.agentmesh.serialization.CborSerializable;
import org.junit.jupiter.api.Test;

/** Every proposal command (enumerated from the sealed interface) and every ledger record round-trips through CBOR. */
class ProposalCommandCborTest {

    @Test
    void everyCommandAndRecordRoundTrips() throws Exception {
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        NodeKey key = NodeKey.generate("a1", NodeKey.seededRandom(3));
        var proposal = new ObjectMapper().readTree("{\"task_assignment\":\"t\",\"assigned_to\":\"a1\",\"n\":[1,2.5,true]}");
        Map<Class<?>, ProposalCommand> samples = new LinkedHashMap<>();
        samples.put(ProposalCommand.RegisterAgent.class, new ProposalCommand.RegisterAgent("a1", key.encodedPublicKey(), 1));
        samples.put(ProposalCommand.Propose.class, new ProposalCommand.Propose("p", "a1", proposal, 0.67, 100, List.of("a1"), 2));
        samples.put(ProposalCommand.Vote.class, new ProposalCommand.Vote("p", "a1", Choice.APPROVE,
                new Ballot("p", "a1", Choice.APPROVE).sign(key.decodePrivate()), 3));
        samples.put(ProposalCommand.AgentDeparted.class, new ProposalCommand.AgentDeparted("a1", 4));
        samples.put(ProposalCommand.AgentRejoined.class, new ProposalCommand.AgentRejoined("a1", 5));
        samples.put(ProposalCommand.Tick.class, new ProposalCommand.Tick(5));
        assertEquals(Set.of(ProposalCommand.class.getPermittedSubclasses()), samples.keySet());
        ProposalCodec codec = new ProposalCodec();
        for (ProposalCommand c : samples.values()) {
            assertEquals(c, cbor.readValue(cbor.writeValueAsBytes(c), ProposalCommand.class));
            assertEquals(c, codec.decodeCommand(codec.encode(c)), "through the JSON operation pBFT orders");
        }
        ProposalLedger ledger = new ProposalLedger();
        samples.values().forEach(ledger::apply);
        Proposal stored = ledger.proposal("p").orElseThrow();
        ProposalStatus status = stored.status();
        List<CborSerializable> records = List.of(stored, status, status.tally(), ProposalResult.ok(List.of(status)),
                new ProposalCodec().decodeSnapshot(ledger.snapshot()));
        for (CborSerializable r : records) {
            assertEquals(r, cbor.readValue(cbor.writeValueAsBytes(r), r.getClass()), r.getClass().getSimpleName());
        }
        assertTrue(ledger.status("p").isPresent());
    }
}

package org.agentmesh.proposals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.pbft.EncodedPublicKey;
import org.agentmesh.serialization.CborSerializable;

/** The whole ledger state: registered agents and their keys, departed agents, proposals. */
public record LedgerSnapshot(Map<String, EncodedPublicKey> agents, List<String> departed,
        Map<String, Proposal> proposals) implements CborSerializable {
    public LedgerSnapshot {
        agents = new TreeMap<>(agents);
        departed = List.copyOf(departed);
        proposals = new TreeMap<>(proposals);
    }
}

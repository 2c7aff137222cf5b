package org.agentmesh.proposals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.serialization.CborSerializable;

/** A proposal as the ledger keeps it: eligible voters (minus departed ones) and the votes that still count. */
public record Proposal(String proposalId, String proposer, JsonNode proposal, double threshold, long createdAtMillis,
        long deadlineMillis, List<String> eligible, Map<String, Choice> votes, Decision decision, long decidedAtMillis,
        String reason) implements CborSerializable {

    public Proposal {
        eligible = List.copyOf(eligible);
        votes = new TreeMap<>(votes);
    }

    public Tally tally() {
        int approve = 0;
        int reject = 0;
        for (Choice c : votes.values()) {
            if (c == Choice.APPROVE) {
                approve++;
            } else {
                reject++;
            }
        }
        double participation = eligible.isEmpty() ? 0 : (approve + reject) / (double) eligible.size();
        return new Tally(approve, reject, eligible.size(), participation);
    }

    /** Approvals needed: the smallest count reaching {@code threshold * eligible}. */
    public int needed() {
        return (int) Math.ceil(threshold * eligible.size() - 1e-9);
    }

    public ProposalStatus status() {
        return new ProposalStatus(proposalId, decision, tally(), threshold, deadlineMillis, decidedAtMillis, reason);
    }

    Proposal with(List<String> eligible, Map<String, Choice> votes, Decision decision, long decidedAtMillis,
            String reason) {
        return new Proposal(proposalId, proposer, proposal, threshold, createdAtMillis, deadlineMillis, eligible, votes,
                decision, decidedAtMillis, reason);
    }
}

package org.agentmesh.proposals;

import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/**
 * The outcome of one command: accepted or refused (with the reason), and the status of every proposal it touched.
 */
public record ProposalResult(boolean accepted, String reason, List<ProposalStatus> statuses) implements CborSerializable {
    public ProposalResult {
        statuses = List.copyOf(statuses);
    }

    public static ProposalResult ok(List<ProposalStatus> statuses) {
        return new ProposalResult(true, "", statuses);
    }

    public static ProposalResult refused(String reason) {
        return new ProposalResult(false, reason, List.of());
    }
}

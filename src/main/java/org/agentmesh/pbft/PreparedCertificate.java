package org.agentmesh.pbft;

import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/** Proof that a batch prepared: the primary's pre-prepare and 2f matching prepares from distinct backups. */
public record PreparedCertificate(PbftMessage.PrePrepare prePrepare, List<PbftMessage.Prepare> prepares)
        implements CborSerializable {
    public PreparedCertificate {
        java.util.Objects.requireNonNull(prePrepare, "prePrepare");
        prepares = List.copyOf(prepares);
    }
}

package org.agentmesh.pbft;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/**
 * What a replica must remember across a restart, emitted by {@link PbftCore} as {@link PbftOutput.Persist} ahead of the
 * outputs that depend on it: a shell writes it and holds those later outputs back until the write is done, so a
 * restarted replica never contradicts what it said before (it only looks slow). {@link DurableState} folds them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = DurableEvent.ViewEntered.class, name = "view-entered"),
    @JsonSubTypes.Type(value = DurableEvent.Accepted.class, name = "accepted"),
    @JsonSubTypes.Type(value = DurableEvent.Prepared.class, name = "prepared"),
    @JsonSubTypes.Type(value = DurableEvent.Executed.class, name = "executed"),
    @JsonSubTypes.Type(value = DurableEvent.Stable.class, name = "stable")
})
public sealed interface DurableEvent extends CborSerializable {

    /** Entered {@code view}: changing to it ({@code active} false, before its VIEW-CHANGE) or installed it. */
    record ViewEntered(long view, boolean active) implements DurableEvent {}

    /** Accepted (or, as primary, issued) this pre-prepare, before sending a prepare for it. */
    record Accepted(PbftMessage.PrePrepare prePrepare) implements DurableEvent {}

    /** Prepared, before sending a commit: view changes carry the certificate. */
    record Prepared(PreparedCertificate certificate) implements DurableEvent {}

    /** Executed the committed batch at {@code seq}, before replying to its clients. */
    record Executed(long seq, List<PbftMessage.Request> batch) implements DurableEvent {
        public Executed {
            batch = List.copyOf(batch);
        }
    }

    /** A stable checkpoint with its proof and the state at it: everything before it can be forgotten. */
    record Stable(long seq, String digest, List<PbftMessage.Checkpoint> proof, ReplicaSnapshot snapshot)
            implements DurableEvent {
        public Stable {
            proof = List.copyOf(proof);
        }
    }
}

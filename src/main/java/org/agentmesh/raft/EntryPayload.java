package org.agentmesh.raft;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import org.agentmesh.serialization.CborSerializable;

/**
 * What a log entry carries: an opaque client command (the shell encodes and decodes it), the no-op a new leader appends
 * at the start of its term, or a new cluster configuration (which takes effect as soon as it is appended).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = EntryPayload.Command.class, name = "command"),
    @JsonSubTypes.Type(value = EntryPayload.NoOp.class, name = "noop"),
    @JsonSubTypes.Type(value = EntryPayload.ConfigChange.class, name = "config")
})
public sealed interface EntryPayload extends CborSerializable {

    /** Approximate encoded size, used to cap the bytes per AppendEntries. */
    int sizeBytes();

    record Command(byte[] data) implements EntryPayload {
        @Override
        public int sizeBytes() {
            return data.length + 8;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Command c && Arrays.equals(data, c.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Command[" + data.length + " bytes]";
        }
    }

    record NoOp() implements EntryPayload {
        @Override
        public int sizeBytes() {
            return 8;
        }
    }

    record ConfigChange(Membership membership) implements EntryPayload {
        @Override
        public int sizeBytes() {
            return 16 + 16 * (membership.voters().size() + membership.learners().size());
        }
    }
}

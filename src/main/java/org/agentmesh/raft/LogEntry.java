package org.agentmesh.raft;

import org.agentmesh.serialization.CborSerializable;

/** One entry of the replicated log. Two entries are equal when index, term and payload (bytes included) are. */
public record LogEntry(long index, long term, EntryPayload payload) implements CborSerializable {

    public static LogEntry command(long index, long term, byte[] data) {
        return new LogEntry(index, term, new EntryPayload.Command(data));
    }

    public int sizeBytes() {
        return 16 + payload.sizeBytes();
    }
}

package org.agentmesh.memory;

import com.fasterxml.jackson.databind.JsonNode;
import org.agentmesh.serialization.CborSerializable;

/**
 * A stored value with its version (the Raft log index of the write that produced it) and expiry
 * ({@code 0} = never expires).
 */
public record Entry(JsonNode value, long version, long expiresAtMillis) implements CborSerializable {

    public Entry {
        MemoryLimits.present(value, "value");
    }

    /** Expired entries are absent for every read and write, whether or not a purge removed them yet. */
    public boolean isExpiredAt(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }
}

package org.agentmesh.memory;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.agentmesh.serialization.CborSerializable;

/** The outcome of applying one {@link MemoryCommand}, handed back to the client that proposed it. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MemoryResult.Stored.class, name = "stored"),
    @JsonSubTypes.Type(value = MemoryResult.Deleted.class, name = "deleted"),
    @JsonSubTypes.Type(value = MemoryResult.NotFound.class, name = "not-found"),
    @JsonSubTypes.Type(value = MemoryResult.CasOk.class, name = "cas-ok"),
    @JsonSubTypes.Type(value = MemoryResult.CasConflict.class, name = "cas-conflict"),
    @JsonSubTypes.Type(value = MemoryResult.Purged.class, name = "purged"),
    @JsonSubTypes.Type(value = MemoryResult.Rejected.class, name = "rejected")
})
public sealed interface MemoryResult extends CborSerializable
        permits MemoryResult.Stored, MemoryResult.Deleted, MemoryResult.NotFound, MemoryResult.CasOk,
                MemoryResult.CasConflict, MemoryResult.Purged, MemoryResult.Rejected {

    /** A {@code Store} wrote the value; {@code version} is the new version of the key. */
    record Stored(long version) implements MemoryResult {}

    /** A {@code Delete} removed the key, which had version {@code version}. */
    record Deleted(long version) implements MemoryResult {}

    /** A {@code Delete} found no live entry (absent or expired). */
    record NotFound() implements MemoryResult {}

    /** A {@code Cas} matched and wrote; {@code newVersion} is the key's new version. */
    record CasOk(long newVersion) implements MemoryResult {}

    /** A {@code Cas} did not match; {@code currentVersion} is the key's version, or 0 if absent. */
    record CasConflict(long currentVersion) implements MemoryResult {}

    /** A {@code Purge} removed {@code removed} expired entries. */
    record Purged(int removed) implements MemoryResult {}

    /** The command was invalid (or undecodable) and changed nothing; every replica rejects it the same way. */
    record Rejected(String field, String reason) implements MemoryResult {
        public Rejected {
            MemoryLimits.present(field, "field");
            MemoryLimits.present(reason, "reason");
        }
    }
}

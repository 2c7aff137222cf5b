package org.agentmesh.memory;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import org.agentmesh.serialization.CborSerializable;

/**
 * A write to the mesh memory, proposed through Raft and applied by {@link MemoryStore}.
 *
 * <p>Every command carries {@code nowMillis}, the proposer's (Raft leader's) clock when it proposed: the state machine
 * never reads a clock, so every replica decides expiry identically.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MemoryCommand.Store.class, name = "store"),
    @JsonSubTypes.Type(value = MemoryCommand.Delete.class, name = "delete"),
    @JsonSubTypes.Type(value = MemoryCommand.Cas.class, name = "cas"),
    @JsonSubTypes.Type(value = MemoryCommand.Purge.class, name = "purge")
})
public sealed interface MemoryCommand extends CborSerializable
        permits MemoryCommand.Store, MemoryCommand.Delete, MemoryCommand.Cas, MemoryCommand.Purge {

    long nowMillis();

    /**
     * {@code maxValueBytes} for {@link #validate} when the value's size is already known to be within the limit: an
     * encoded command no longer than the limit cannot hold a value beyond it, so the value need not be encoded again.
     */
    int SIZE_ALREADY_CHECKED = Integer.MAX_VALUE;

    /**
     * The {@code expiresAtMillis} for a time-to-live ({@code 0} = none). The proposer that sets {@code nowMillis}
     * should compute it from the same clock reading, so clock skew between nodes cannot make a fresh entry expired.
     */
    static long expiryFor(long ttlMillis, long nowMillis) {
        if (ttlMillis < 0) {
            throw new InvalidFieldException("ttlMillis", "must be 0 (no expiry) or positive, was " + ttlMillis);
        }
        if (ttlMillis == 0) {
            return 0;
        }
        long expiry = nowMillis + ttlMillis;
        return expiry < nowMillis ? Long.MAX_VALUE : expiry; // an absurd TTL means "practically never"
    }

    /**
     * Full validation (syntax, sizes, expiry), done by the proposer before proposing and again by the state machine,
     * which rejects rather than applies an invalid command. Throws {@link InvalidFieldException}.
     */
    void validate(MemoryCodec codec, int maxValueBytes);

    /** Writes {@code value} under {@code key}, creating or replacing it. */
    record Store(String namespace, String key, JsonNode value, long expiresAtMillis, long nowMillis) implements MemoryCommand {
        public Store {
            MemoryLimits.present(namespace, "namespace");
            MemoryLimits.present(key, "key");
            MemoryLimits.present(value, "value");
        }

        @Override
        public void validate(MemoryCodec codec, int maxValueBytes) {
            MemoryLimits.requireValidNamespace(namespace);
            MemoryLimits.requireValidKey(key);
            MemoryLimits.requireValidNow(nowMillis);
            MemoryLimits.requireValidExpiry(expiresAtMillis, nowMillis);
            if (maxValueBytes != SIZE_ALREADY_CHECKED) {
                MemoryLimits.requireValidValueSize(codec.encodedSize(value), maxValueBytes);
            }
        }
    }

    /** Removes {@code key}. */
    record Delete(String namespace, String key, long nowMillis) implements MemoryCommand {
        public Delete {
            MemoryLimits.present(namespace, "namespace");
            MemoryLimits.present(key, "key");
        }

        @Override
        public void validate(MemoryCodec codec, int maxValueBytes) {
            MemoryLimits.requireValidNamespace(namespace);
            MemoryLimits.requireValidKey(key);
            MemoryLimits.requireValidNow(nowMillis);
        }
    }

    /**
     * Compare-and-set: writes {@code value} only if the key's current version is {@code expectedVersion};
     * {@code expectedVersion == 0} means "only if the key is absent".
     */
    record Cas(String namespace, String key, long expectedVersion, JsonNode value, long expiresAtMillis, long nowMillis)
            implements MemoryCommand {
        public Cas {
            MemoryLimits.present(namespace, "namespace");
            MemoryLimits.present(key, "key");
            MemoryLimits.present(value, "value");
        }

        @Override
        public void validate(MemoryCodec codec, int maxValueBytes) {
            MemoryLimits.requireValidNamespace(namespace);
            MemoryLimits.requireValidKey(key);
            MemoryLimits.requireValidExpectedVersion(expectedVersion);
            MemoryLimits.requireValidNow(nowMillis);
            MemoryLimits.requireValidExpiry(expiresAtMillis, nowMillis);
            if (maxValueBytes != SIZE_ALREADY_CHECKED) {
                MemoryLimits.requireValidValueSize(codec.encodedSize(value), maxValueBytes);
            }
        }
    }

    /** Removes every entry expired at {@code nowMillis}, so expired values stop taking memory and snapshot space. */
    record Purge(long nowMillis) implements MemoryCommand {
        @Override
        public void validate(MemoryCodec codec, int maxValueBytes) {
            MemoryLimits.requireValidNow(nowMillis);
        }
    }
}

package org.agentmesh.failure;

import java.util.Objects;

/**
 * The check a shell makes before a write: refused while this agent is READ_ONLY (on a minority side), with a reason
 * a user can act on. Pure: it only reads a {@link PartitionStatus}.
 */
public final class WriteGuard {

    /** The outcome of {@link #check}. */
    public sealed interface Decision permits Allowed, Refused {
        default boolean allowed() {
            return this instanceof Allowed;
        }
    }

    public record Allowed() implements Decision {}

    /** {@code reason} is meant for the caller (HTTP 503 body, CLI message). */
    public record Refused(String reason) implements Decision {
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }

    private WriteGuard() {}

    public static Decision check(PartitionStatus status) {
        if (status.mode() == PartitionMode.NORMAL) {
            return new Allowed();
        }
        String reason = "read-only: this agent reaches " + status.reachable() + " of " + status.known()
                + " agents (needs " + status.needed() + ")";
        if (status.inMajority()) {
            reason += "; a majority is reachable again, waiting for it to hold before writes resume";
        }
        return new Refused(reason);
    }
}

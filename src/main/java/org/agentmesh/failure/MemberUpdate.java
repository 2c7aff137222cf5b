package org.agentmesh.failure;

import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * A membership claim spread by piggybacking and flooding: {@code origin} says {@code member} is {@code status} at
 * {@code incarnation}. For {@code FAILED}, {@code confirmations} is how many other agents confirmed it (else 0).
 * {@code evidenceBeat} is the newest heartbeat of the member (a reading of the member's own clock) the origin knew
 * when it made a SUSPECT or FAILED claim, {@link #NO_BEAT} if none: an agent that knows the member was alive much
 * later than that (a healed partition) ignores the stale claim instead of spreading it.
 *
 * <p>Ordering (SWIM, plus rejoin): ALIVE(i) beats anything with a lower incarnation; SUSPECT(i) beats ALIVE(j) for
 * i >= j and SUSPECT(j) for i > j; FAILED(i) beats ALIVE/SUSPECT(j) for i >= j. Only the member itself raises its
 * incarnation, so an ALIVE with a higher incarnation is a refutation.
 */
public record MemberUpdate(String member, MemberStatus status, int incarnation, String origin, int confirmations,
        long evidenceBeat) implements CborSerializable {

    /** No heartbeat known. */
    public static final long NO_BEAT = Long.MIN_VALUE;

    /** A claim with no heartbeat evidence attached. */
    public MemberUpdate(String member, MemberStatus status, int incarnation, String origin, int confirmations) {
        this(member, status, incarnation, origin, confirmations, NO_BEAT);
    }

    public MemberUpdate {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(origin, "origin");
        if (incarnation < 0 || confirmations < 0) {
            throw new IllegalArgumentException("incarnation and confirmations must be >= 0");
        }
    }

    /** Whether this update should replace {@code current} (the receiver's belief about the same member). */
    public boolean overrides(MemberStatus currentStatus, int currentIncarnation) {
        return switch (status) {
            case ALIVE -> incarnation > currentIncarnation;
            case SUSPECT -> incarnation > currentIncarnation
                    || (incarnation == currentIncarnation && currentStatus == MemberStatus.ALIVE);
            case FAILED -> incarnation > currentIncarnation
                    || (incarnation == currentIncarnation && currentStatus != MemberStatus.FAILED);
        };
    }
}

package org.agentmesh.pbft;

/** Why a replica or client dropped a message; counted per reason. */
public enum DropReason {
    /** The signature does not verify under the claimed sender's key (forged sender or bad signature). */
    BAD_SIGNATURE,
    /** The claimed sender is not a member, or not a replica where only replicas may speak. */
    UNKNOWN_SENDER,
    /** A pre-prepare or new-view not from the primary of its view. */
    NOT_FROM_PRIMARY,
    /** Malformed content: wrong digest, bad proof, invalid embedded messages. */
    INVALID,
    /** For another view than the one this replica is in, or below the stable checkpoint. */
    STALE,
    /** Sequence number outside the water marks. */
    OUT_OF_WATERMARKS,
    /** Already had this very message (retransmission or replay). */
    DUPLICATE,
    /** A second, different vote (pre-prepare, prepare, commit, checkpoint) from the same sender for the same slot. */
    CONFLICTING_VOTE
}

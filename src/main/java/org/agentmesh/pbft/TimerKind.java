package org.agentmesh.pbft;

/** The timers of a replica or client; at most one of each kind is armed at a time. */
public enum TimerKind {
    /** A backup waits for a pending request to execute; expiry suspects the primary. */
    REQUEST,
    /** Waiting for the NEW-VIEW of the view being changed to; expiry moves on to the next view (backoff doubles). */
    VIEW_CHANGE,
    /** The primary waits a little to fill a batch. */
    BATCH,
    /** Periodic status broadcast that drives retransmission. */
    STATUS,
    /** The client retransmits its outstanding request to all replicas. */
    CLIENT_RETRANSMIT
}

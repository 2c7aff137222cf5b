package org.agentmesh.raft;

/** A deterministic state machine replicated by Raft: the same commands in the same order give the same results. */
public interface StateMachine {
    /** Applies the committed command at {@code index}; returns the result handed to the client that proposed it. */
    byte[] apply(long index, byte[] command);

    /** A snapshot of the whole state (everything applied up to the last applied index). */
    byte[] snapshot();

    /** Replaces the whole state by a snapshot. */
    void restore(byte[] snapshot);
}

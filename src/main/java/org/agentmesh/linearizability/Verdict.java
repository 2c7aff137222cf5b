package org.agentmesh.linearizability;

/** The answer of a linearizability check. */
public enum Verdict {
    /** Some order of the operations, consistent with real time, satisfies the model. */
    LINEARIZABLE,
    /** No such order exists. */
    NOT_LINEARIZABLE,
    /** The check ran out of time before deciding. */
    UNKNOWN
}

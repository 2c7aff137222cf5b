package org.agentmesh.memory;

/**
 * Bad input to the memory store, naming the offending field so the HTTP layer can answer 400 with a problem body
 * that points at it, and the state machine can turn it into a {@link MemoryResult.Rejected} result.
 */
public final class InvalidFieldException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String reason;

    public InvalidFieldException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** Name of the offending field, e.g. {@code namespace}. */
    public String field() {
        return field;
    }

    /** What is wrong with it, without the field name. */
    public String reason() {
        return reason;
    }
}

package org.agentmesh.swarm;

/** Input refused by validation; {@code field} names the offending field (JSON path-like, e.g. {@code agents[2].id}). */
public final class InvalidInput extends RuntimeException {

    private final String field;

    public InvalidInput(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}

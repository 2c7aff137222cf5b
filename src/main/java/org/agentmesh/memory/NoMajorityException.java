package org.agentmesh.memory;

/**
 * A mesh memory request could not be completed by a majority of the swarm's Raft voters within the request timeout.
 * For a write the outcome may be unknown (it may still be applied later); it is never reported as done. HTTP 503.
 */
public final class NoMajorityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NoMajorityException(String message) {
        super(message);
    }
}

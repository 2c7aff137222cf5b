package org.agentmesh.failure;

/** A write refused because this node's agents are on a minority side (READ_ONLY); nothing was recorded. HTTP 503. */
public final class WriteRefused extends RuntimeException {
    public WriteRefused(String reason) {
        super(reason);
    }
}

package org.agentmesh.pbft;

/**
 * The deterministic service that pBFT replicates: the same operations in the same order give the same results and the
 * same snapshots on every correct replica.
 */
public interface ReplicatedService {
    /** Executes a client's operation ordered at sequence number {@code seq}; returns the result sent to the client. */
    String execute(String client, String operation, long seq);

    /** The whole state, deterministically encoded (equal states give equal strings). */
    String snapshot();

    /** Replaces the whole state (state transfer). */
    void restore(String snapshot);
}

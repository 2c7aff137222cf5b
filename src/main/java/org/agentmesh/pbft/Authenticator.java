package org.agentmesh.pbft;

/**
 * Signs for one node and verifies the signatures of every member. {@link Ed25519Authenticator} is the real one;
 * {@link HmacAuthenticator} is a fast stand-in for large simulations only (its verification keys are secrets).
 */
public interface Authenticator {
    /** The node this authenticator signs for. */
    String self();

    /** Whether {@code id} is a member (has a key). */
    boolean knows(String id);

    /** The signature (base64) of this node over {@code content}. */
    String sign(byte[] content);

    /** Whether {@code signature} is {@code signer}'s signature over {@code content}; false for non-members. */
    boolean verify(String signer, byte[] content, String signature);
}

package org.agentmesh.proposals;

import org.agentmesh.pbft.Authenticator;
import org.agentmesh.pbft.Ed25519Authenticator;
import org.agentmesh.pbft.KeyRing;
import org.agentmesh.pbft.NodeKey;

/**
 * Ed25519 over the swarm's key ring, plus client identities: a client id is {@code agentId|replyAddress} and signs with
 * that agent's key, so every gateway or replica incarnation is a fresh pBFT client (fresh timestamps) without a new
 * key, and replicas know where to send replies.
 */
public final class SwarmAuthenticator implements Authenticator {

    private final String self;
    private final Ed25519Authenticator inner;

    public SwarmAuthenticator(String self, NodeKey key, KeyRing ring) {
        this.self = self;
        this.inner = new Ed25519Authenticator(key, ring);
    }

    public static String clientId(String agentId, String replyAddress) {
        return agentId + "|" + replyAddress;
    }

    /** The agent a (client or replica) id speaks for. */
    public static String agentOf(String id) {
        int bar = id.indexOf('|');
        return bar < 0 ? id : id.substring(0, bar);
    }

    /** The reply address of a client id (empty for a replica id). */
    public static String replyAddressOf(String id) {
        int bar = id.indexOf('|');
        return bar < 0 ? "" : id.substring(bar + 1);
    }

    @Override
    public String self() {
        return self;
    }

    @Override
    public boolean knows(String id) {
        return inner.knows(agentOf(id));
    }

    @Override
    public String sign(byte[] content) {
        return inner.sign(content);
    }

    @Override
    public boolean verify(String signer, byte[] content, String signature) {
        return inner.verify(agentOf(signer), content, signature);
    }
}

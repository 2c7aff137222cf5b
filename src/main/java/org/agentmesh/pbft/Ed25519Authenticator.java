package org.agentmesh.pbft;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Ed25519 signatures (JDK provider) with the node's private key; verification against the {@link KeyRing}. */
public final class Ed25519Authenticator implements Authenticator {

    private final String self;
    private final PrivateKey privateKey;
    private final KeyRing ring;
    private final Map<String, PublicKey> decoded = new HashMap<>();

    public Ed25519Authenticator(NodeKey key, KeyRing ring) {
        this.self = key.id();
        this.privateKey = key.decodePrivate();
        this.ring = ring;
    }

    @Override
    public String self() {
        return self;
    }

    @Override
    public boolean knows(String id) {
        return ring.contains(id);
    }

    @Override
    public String sign(byte[] content) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(content);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    @Override
    public boolean verify(String signer, byte[] content, String signature) {
        EncodedPublicKey encoded = ring.keys().get(signer);
        if (encoded == null) {
            return false;
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        try {
            PublicKey key = decoded.computeIfAbsent(signer, id -> encoded.decode());
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(content);
            return s.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}

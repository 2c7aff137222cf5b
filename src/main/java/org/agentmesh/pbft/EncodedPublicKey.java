package org.agentmesh.pbft;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.agentmesh.serialization.CborSerializable;

/** An Ed25519 public key in its X.509 encoding ({@link PublicKey#getEncoded()}), as persisted and sent. */
public record EncodedPublicKey(byte[] x509) implements CborSerializable {

    public static EncodedPublicKey of(PublicKey key) {
        return new EncodedPublicKey(key.getEncoded());
    }

    public PublicKey decode() {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedPublicKey k && Arrays.equals(x509, k.x509);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(x509);
    }

    @Override
    public String toString() {
        return "EncodedPublicKey[" + x509.length + " bytes]";
    }
}

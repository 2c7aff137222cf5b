package org.agentmesh.pbft;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.agentmesh.serialization.CborSerializable;

/** A node's Ed25519 key pair, encoded (X.509 public, PKCS#8 private) so that it can be persisted. */
public record NodeKey(String id, byte[] publicKey, byte[] privateKey) implements CborSerializable {

    /** A fresh key pair drawn from {@code random} (a seeded one gives reproducible keys in simulations). */
    public static NodeKey generate(String id, SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            KeyPair pair = generator.generateKeyPair();
            return new NodeKey(id, pair.getPublic().getEncoded(), pair.getPrivate().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available", e);
        }
    }

    /** A deterministic {@link SecureRandom} for simulations: the same seed gives the same keys. */
    public static SecureRandom seededRandom(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public EncodedPublicKey encodedPublicKey() {
        return new EncodedPublicKey(publicKey);
    }

    public PrivateKey decodePrivate() {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(privateKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeKey k && id.equals(k.id) && Arrays.equals(publicKey, k.publicKey)
                && Arrays.equals(privateKey, k.privateKey);
    }

    @Override
    public int hashCode() {
        return 31 * id.hashCode() + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "NodeKey[" + id + "]";
    }
}

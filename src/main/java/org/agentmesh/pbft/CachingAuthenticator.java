package org.agentmesh.pbft;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers signatures that verified, so a retransmitted or replayed message (same signer, same signature, same
 * content) costs a SHA-256 instead of a public-key verification. Only successes are cached, keyed by signer and
 * signature and checked against the content's hash, so a cached entry can never make a different message pass.
 * Bounded (least recently used entries are evicted). Deterministic: it changes costs, never answers.
 */
public final class CachingAuthenticator implements Authenticator {

    private final Authenticator inner;
    private final Map<String, byte[]> verified;
    private long hits;

    public CachingAuthenticator(Authenticator inner, int capacity) {
        this.inner = inner;
        this.verified = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public String self() {
        return inner.self();
    }

    @Override
    public boolean knows(String id) {
        return inner.knows(id);
    }

    @Override
    public String sign(byte[] content) {
        return inner.sign(content);
    }

    @Override
    public boolean verify(String signer, byte[] content, String signature) {
        String key = signer + "\u0000" + signature;
        byte[] hash = sha256(content);
        byte[] known = verified.get(key);
        if (known != null && Arrays.equals(known, hash)) {
            hits++;
            return true;
        }
        boolean ok = inner.verify(signer, content, signature);
        if (ok) {
            verified.put(key, hash);
        }
        return ok;
    }

    /** Verifications answered from the cache. */
    public long hits() {
        return hits;
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

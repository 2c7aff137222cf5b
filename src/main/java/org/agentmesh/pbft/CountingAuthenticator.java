package org.agentmesh.pbft;

/** Wraps an authenticator and counts sign/verify operations and the wall-clock nanoseconds they took. */
public final class CountingAuthenticator implements Authenticator {

    private final Authenticator inner;
    private long signs;
    private long verifies;
    private long signNanos;
    private long verifyNanos;

    public CountingAuthenticator(Authenticator inner) {
        this.inner = inner;
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
        long t = System.nanoTime();
        String s = inner.sign(content);
        signNanos += System.nanoTime() - t;
        signs++;
        return s;
    }

    @Override
    public boolean verify(String signer, byte[] content, String signature) {
        long t = System.nanoTime();
        boolean ok = inner.verify(signer, content, signature);
        verifyNanos += System.nanoTime() - t;
        verifies++;
        return ok;
    }

    public long signs() {
        return signs;
    }

    public long verifies() {
        return verifies;
    }

    public long signNanos() {
        return signNanos;
    }

    public long verifyNanos() {
        return verifyNanos;
    }
}

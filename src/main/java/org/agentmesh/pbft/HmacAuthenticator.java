package org.agentmesh.pbft;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A fast stand-in for large simulations only: HMAC-SHA256 with a per-node secret that every verifier knows. It is not
 * authentication against a real adversary (anyone holding the table can sign for anyone), but a simulated byzantine
 * node that only holds its own authenticator cannot forge another node's signature, which is all a simulation needs.
 */
public final class HmacAuthenticator implements Authenticator {

    private final String self;
    private final Map<String, SecretKeySpec> secrets;

    public HmacAuthenticator(String self, Map<String, byte[]> secrets) {
        this.self = self;
        this.secrets = new TreeMap<>();
        secrets.forEach((id, s) -> this.secrets.put(id, new SecretKeySpec(s, "HmacSHA256")));
    }

    /** Secrets derived from the ids and a seed. */
    public static Map<String, byte[]> secretsFor(Iterable<String> ids, long seed) {
        Map<String, byte[]> m = new TreeMap<>();
        for (String id : ids) {
            m.put(id, (id + "#" + seed).getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    @Override
    public String self() {
        return self;
    }

    @Override
    public boolean knows(String id) {
        return secrets.containsKey(id);
    }

    @Override
    public String sign(byte[] content) {
        return mac(self, content);
    }

    @Override
    public boolean verify(String signer, byte[] content, String signature) {
        return secrets.containsKey(signer) && mac(signer, content).equals(signature);
    }

    private String mac(String id, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secrets.get(id));
            return Base64.getEncoder().encodeToString(mac.doFinal(content));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.agentmesh.pbft;

import java.nio.charset.StandardCharsets;

/** A deterministic test service whose every result depends on the whole history, so divergence cannot hide. */
final class HashChainService implements ReplicatedService {

    private long count;
    private String chain = "genesis";

    @Override
    public String execute(String client, String operation, long seq) {
        count++;
        chain = CanonicalEncoding.sha256((chain + "|" + client + "|" + operation + "|" + seq)
                .getBytes(StandardCharsets.UTF_8));
        return count + ":" + chain.substring(0, 16);
    }

    @Override
    public String snapshot() {
        return count + "|" + chain;
    }

    @Override
    public void restore(String snapshot) {
        int bar = snapshot.indexOf('|');
        count = Long.parseLong(snapshot.substring(0, bar));
        chain = snapshot.substring(bar + 1);
    }
}

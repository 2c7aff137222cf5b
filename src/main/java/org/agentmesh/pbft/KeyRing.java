package org.agentmesh.pbft;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.serialization.CborSerializable;

/** The membership: every replica's and client's public key, known to all. */
public record KeyRing(Map<String, EncodedPublicKey> keys) implements CborSerializable {
    public KeyRing {
        keys = new TreeMap<>(keys);
    }

    public static KeyRing of(Collection<NodeKey> nodeKeys) {
        Map<String, EncodedPublicKey> keys = new TreeMap<>();
        for (NodeKey k : nodeKeys) {
            keys.put(k.id(), k.encodedPublicKey());
        }
        return new KeyRing(keys);
    }

    public boolean contains(String id) {
        return keys.containsKey(id);
    }
}

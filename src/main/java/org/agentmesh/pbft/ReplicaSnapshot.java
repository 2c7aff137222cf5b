package org.agentmesh.pbft;

import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.serialization.CborSerializable;

/**
 * A replica's state at a checkpoint: the service snapshot and, per client, the last executed request and its result
 * (which makes execution exactly-once across state transfer). Its canonical digest is the checkpoint digest.
 */
public record ReplicaSnapshot(long seq, String service, Map<String, ClientEntry> clients) implements CborSerializable {
    public ReplicaSnapshot {
        java.util.Objects.requireNonNull(service, "service");
        clients = new TreeMap<>(clients);
    }

    /** The last request of one client that was executed, and the result it got. */
    public record ClientEntry(long timestamp, String result) implements CborSerializable {
        public ClientEntry {
            java.util.Objects.requireNonNull(result, "result");
        }
    }
}

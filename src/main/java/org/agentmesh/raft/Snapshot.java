package org.agentmesh.raft;

import java.util.Arrays;
import org.agentmesh.serialization.CborSerializable;

/**
 * A state machine snapshot ({@link StateMachine#snapshot()}) taken after applying the entry at {@code meta.index}.
 * A brand-new cluster starts from the empty snapshot at index 0 carrying the initial configuration.
 */
public record Snapshot(SnapshotMeta meta, byte[] data) implements CborSerializable {

    /** The starting point of a fresh cluster whose initial configuration is {@code membership}. */
    public static Snapshot bootstrap(Membership membership) {
        return new Snapshot(new SnapshotMeta(0, 0, membership), new byte[0]);
    }

    public long index() {
        return meta.index();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && meta.equals(s.meta) && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return meta.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Snapshot[" + meta + ", " + data.length + " bytes]";
    }
}

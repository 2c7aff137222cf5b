package org.agentmesh.memory;

import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/**
 * The whole memory store as data: every entry (expired but not yet purged ones included, since they are part of the
 * replicated state) sorted by namespace then key, so equal states encode to equal bytes.
 */
public record MemorySnapshot(int format, long lastAppliedIndex, List<Item> items) implements CborSerializable {

    /** Bumped when the layout changes, so a node refuses a snapshot it cannot read instead of misreading it. */
    public static final int CURRENT_FORMAT = 1;

    public MemorySnapshot {
        items = List.copyOf(MemoryLimits.present(items, "items"));
    }
}

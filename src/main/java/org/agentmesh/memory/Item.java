package org.agentmesh.memory;

import org.agentmesh.serialization.CborSerializable;

/** One result of {@code list} or {@code search}, and one element of a snapshot: an entry with its address. */
public record Item(String namespace, String key, Entry entry) implements CborSerializable {

    public Item {
        MemoryLimits.present(namespace, "namespace");
        MemoryLimits.present(key, "key");
        MemoryLimits.present(entry, "entry");
    }
}

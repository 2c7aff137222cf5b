package org.agentmesh.linearizability;

import java.util.List;

/** A concurrent history: operations in any order (the checker orders them by time). */
public record History<I, O>(List<Operation<I, O>> operations) {

    public History {
        operations = List.copyOf(operations);
    }

    public int size() {
        return operations.size();
    }
}

package org.agentmesh.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The durable storage of one simulated node, kept by the harness across crashes and modelled as the actor shell's
 * journal will be: it carries out the persistence part of each {@link Ready} and rebuilds a {@link DurableState}.
 */
final class MemoryRaftStorage {

    private HardState hardState = HardState.INITIAL;
    private Snapshot snapshot;
    /** Entries after the snapshot, element i at index snapshot.index() + 1 + i. */
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long writes;

    MemoryRaftStorage(Membership initial) {
        this.snapshot = Snapshot.bootstrap(initial);
    }

    /** Step 1 of the Ready contract: snapshot, then entries (truncating conflicts), then hard state. */
    void persist(Ready r) {
        boolean wrote = false;
        if (r.snapshot().isPresent()) {
            Snapshot s = r.snapshot().get();
            if (r.restoreSnapshot()) {
                entries.clear();
            } else {
                long drop = Math.min(entries.size(), s.index() - snapshot.index());
                entries.subList(0, (int) Math.max(0, drop)).clear();
            }
            snapshot = s;
            wrote = true;
        }
        if (!r.entries().isEmpty()) {
            long first = r.entries().get(0).index();
            long base = snapshot.index();
            if (first <= base) {
                throw new AssertionError("entries at " + first + " inside the snapshot at " + base);
            }
            int keep = (int) (first - base - 1);
            if (keep > entries.size()) {
                throw new AssertionError("gap: storage ends at " + (base + entries.size()) + ", entries start at " + first);
            }
            entries.subList(keep, entries.size()).clear();
            entries.addAll(r.entries());
            wrote = true;
        }
        if (r.hardState().isPresent()) {
            hardState = r.hardState().get();
            wrote = true;
        }
        if (wrote) {
            writes++;
        }
    }

    /** The actor shell's write: the Ready's snapshot and entries with {@code hardState}, all in one. */
    void persist(Ready r, HardState hardState) {
        persist(r);
        this.hardState = hardState;
    }

    DurableState load() {
        return new DurableState(hardState, snapshot, List.copyOf(entries));
    }

    Snapshot snapshot() {
        return snapshot;
    }

    long lastIndex() {
        return snapshot.index() + entries.size();
    }

    HardState hardState() {
        return hardState;
    }

    long writes() {
        return writes;
    }
}

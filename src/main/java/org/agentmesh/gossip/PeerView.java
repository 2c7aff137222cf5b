package org.agentmesh.gossip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * One peer's view as parallel arrays sorted by peer id. Sorted arrays let a digest be reconciled by one sequential
 * merge (ids of the same peer are usually the same String object, so most comparisons are one reference compare),
 * and let a digest share the id array instead of copying it: the id array is replaced, never mutated, when the set of
 * known peers changes.
 */
final class PeerView {

    private String[] ids = new String[0];
    private List<String> idList = List.of();
    private PeerEntry[] entries = new PeerEntry[0];
    private long[] stamps = new long[0];
    /** Local time of the last version increase (or, for DEAD/LEFT, of the change to that status). */
    private long[] changedAt = new long[0];

    int size() {
        return ids.length;
    }

    /** The ids, sorted; an immutable snapshot. */
    List<String> ids() {
        return idList;
    }

    String id(int i) {
        return ids[i];
    }

    PeerEntry entry(int i) {
        return entries[i];
    }

    long stamp(int i) {
        return stamps[i];
    }

    long changedAt(int i) {
        return changedAt[i];
    }

    long[] stampsCopy() {
        return Arrays.copyOf(stamps, stamps.length);
    }

    int indexOf(String id) {
        int lo = 0;
        int hi = ids.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            String m = ids[mid];
            int c = m == id ? 0 : m.compareTo(id);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /**
     * Finds {@code id}, expected at or shortly after {@code from} (callers visit ids in ascending order): first by
     * reference over a short window, which in steady state finds it without reading a single string, then by binary
     * search over the whole view, which is right whatever the order of the caller's ids.
     */
    int seek(String id, int from) {
        int end = Math.min(ids.length, from + 64);
        for (int j = from; j < end; j++) {
            if (ids[j] == id) {
                return j;
            }
        }
        return indexOf(id);
    }

    void set(int i, PeerEntry e, long changedAtMillis) {
        entries[i] = e;
        stamps[i] = e.stamp();
        changedAt[i] = changedAtMillis;
    }

    /** Adds entries for unknown ids (at most one per id), all with the same change time. */
    void insert(List<PeerEntry> fresh, long now) {
        if (fresh.isEmpty()) {
            return;
        }
        List<PeerEntry> add = new ArrayList<>(fresh);
        add.sort(Comparator.comparing(PeerEntry::peerId));
        int n = ids.length + add.size();
        String[] nIds = new String[n];
        PeerEntry[] nEntries = new PeerEntry[n];
        long[] nStamps = new long[n];
        long[] nChanged = new long[n];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < ids.length || j < add.size()) {
            boolean takeOld = j >= add.size() || (i < ids.length && ids[i].compareTo(add.get(j).peerId()) < 0);
            if (takeOld) {
                nIds[k] = ids[i];
                nEntries[k] = entries[i];
                nStamps[k] = stamps[i];
                nChanged[k] = changedAt[i];
                i++;
            } else {
                PeerEntry e = add.get(j++);
                nIds[k] = e.peerId();
                nEntries[k] = e;
                nStamps[k] = e.stamp();
                nChanged[k] = now;
            }
            k++;
        }
        replace(nIds, nEntries, nStamps, nChanged);
    }

    /** Removes the given indices (ascending). */
    void remove(List<Integer> indices) {
        if (indices.isEmpty()) {
            return;
        }
        int n = ids.length - indices.size();
        String[] nIds = new String[n];
        PeerEntry[] nEntries = new PeerEntry[n];
        long[] nStamps = new long[n];
        long[] nChanged = new long[n];
        int r = 0;
        int k = 0;
        for (int i = 0; i < ids.length; i++) {
            if (r < indices.size() && indices.get(r) == i) {
                r++;
                continue;
            }
            nIds[k] = ids[i];
            nEntries[k] = entries[i];
            nStamps[k] = stamps[i];
            nChanged[k] = changedAt[i];
            k++;
        }
        replace(nIds, nEntries, nStamps, nChanged);
    }

    private void replace(String[] nIds, PeerEntry[] nEntries, long[] nStamps, long[] nChanged) {
        ids = nIds;
        idList = Collections.unmodifiableList(Arrays.asList(nIds));
        entries = nEntries;
        stamps = nStamps;
        changedAt = nChanged;
    }

    List<PeerEntry> entries() {
        return List.of(entries);
    }
}

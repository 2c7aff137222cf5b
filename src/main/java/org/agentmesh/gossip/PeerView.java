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
 *
 * <p>It also keeps the bucket hashes of {@link GossipMessage.Digest} for its own bucket count, updated in O(1) per
 * changed entry, and an index of which entries fall in which bucket, so that a digest costs O(buckets) to build and
 * a differing bucket O(its entries) to list, not O(N).
 */
final class PeerView {

    /** Peers per digest bucket, roughly: a bucket that differs costs this many stamps. */
    static final int PEERS_PER_BUCKET = 32;
    static final int MAX_BUCKETS = 4096;

    /** The bucket count for a view of {@code size} entries: a power of two, about size / 32. */
    static int bucketCountFor(int size) {
        return Math.min(MAX_BUCKETS, Integer.highestOneBit(Math.max(1, size / PEERS_PER_BUCKET)));
    }

    /** The bucket of a peer id; every peer computes the same (String.hashCode is specified). */
    static int bucketOf(String id, int bucketCount) {
        return (int) (mix(id.hashCode()) & (bucketCount - 1));
    }

    /** What an entry adds to its bucket's hash (XOR): a function of id and stamp only. */
    static long entryHash(String id, long stamp) {
        return mix(mix(id.hashCode()) ^ stamp);
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Bucket count of the cache below; 0 when it must be rebuilt. */
    private int cachedCount;
    private long[] cachedHashes;
    /** Entry indices per bucket of {@code cachedCount}, ascending; null when it must be rebuilt. */
    private int[][] members;

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
        if (cachedCount != 0 && stamps[i] != e.stamp()) {
            cachedHashes[bucketOf(ids[i], cachedCount)] ^= entryHash(ids[i], stamps[i]) ^ entryHash(ids[i], e.stamp());
        }
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
        cachedCount = 0;
        members = null;
    }

    /** The bucket hashes for {@code bucketCount} buckets; the caller must not change the array. */
    long[] bucketHashes(int bucketCount) {
        if (cachedCount == bucketCount) {
            return cachedHashes;
        }
        long[] h = new long[bucketCount];
        for (int i = 0; i < ids.length; i++) {
            h[bucketOf(ids[i], bucketCount)] ^= entryHash(ids[i], stamps[i]);
        }
        if (bucketCount == bucketCountFor(ids.length)) {
            cachedCount = bucketCount;
            cachedHashes = h;
            members = null;
        }
        return h;
    }

    /** Indices of the entries in the given buckets (ascending buckets), in ascending id order. */
    int[] indicesIn(int[] buckets, int bucketCount) {
        if (buckets.length == 0) {
            return new int[0];
        }
        if (bucketCount == cachedCount) {
            if (members == null) {
                int[] counts = new int[bucketCount];
                int[] bucket = new int[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    bucket[i] = bucketOf(ids[i], bucketCount);
                    counts[bucket[i]]++;
                }
                int[][] m = new int[bucketCount][];
                for (int b = 0; b < bucketCount; b++) {
                    m[b] = new int[counts[b]];
                }
                int[] fill = new int[bucketCount];
                for (int i = 0; i < ids.length; i++) {
                    m[bucket[i]][fill[bucket[i]]++] = i;
                }
                members = m;
            }
            int total = 0;
            for (int b : buckets) {
                total += members[b].length;
            }
            int[] out = new int[total];
            int k = 0;
            for (int b : buckets) {
                System.arraycopy(members[b], 0, out, k, members[b].length);
                k += members[b].length;
            }
            Arrays.sort(out);
            return out;
        }
        boolean[] wanted = new boolean[bucketCount];
        for (int b : buckets) {
            wanted[b] = true;
        }
        int[] tmp = new int[ids.length];
        int k = 0;
        for (int i = 0; i < ids.length; i++) {
            if (wanted[bucketOf(ids[i], bucketCount)]) {
                tmp[k++] = i;
            }
        }
        return Arrays.copyOf(tmp, k);
    }

    List<PeerEntry> entries() {
        return List.of(entries);
    }
}

package org.agentmesh.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-memory log of a {@link RaftCore}: entries after the latest snapshot in an {@link ArrayList} whose element
 * {@code i} holds index {@code snapshotIndex + 1 + i}, the configuration entries indexed on the side, and the mark of
 * the first entry not yet handed to the driver for persisting.
 */
final class RaftLog {

    private long snapshotIndex;
    private long snapshotTerm;
    private Membership snapshotMembership;
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    /** Configuration entries present in {@link #entries}, by index. */
    private final TreeMap<Long, Membership> configs = new TreeMap<>();
    private long unstableFrom;

    RaftLog(SnapshotMeta snapshot, List<LogEntry> persisted) {
        restore(snapshot);
        for (LogEntry e : persisted) {
            if (e.index() > snapshotIndex) {
                append(e);
            }
        }
        unstableFrom = lastIndex() + 1;
    }

    long snapshotIndex() {
        return snapshotIndex;
    }

    long snapshotTerm() {
        return snapshotTerm;
    }

    long lastIndex() {
        return snapshotIndex + entries.size();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /** The term of the entry at {@code index}, or -1 if it is compacted away or beyond the end. */
    long term(long index) {
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        if (index < snapshotIndex || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - snapshotIndex - 1)).term();
    }

    boolean matchTerm(long index, long term) {
        long t = term(index);
        return t >= 0 && t == term;
    }

    /** The entry at {@code index}; it must be after the snapshot and not beyond the end. */
    LogEntry entry(long index) {
        return entries.get((int) (index - snapshotIndex - 1));
    }

    /** Whether {@code (lastIndex, lastTerm)} is at least as up to date as this log (Raft §5.4.1). */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        long myTerm = lastTerm();
        return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
    }

    void append(LogEntry e) {
        if (e.index() != lastIndex() + 1) {
            throw new IllegalStateException("append of index " + e.index() + " after " + lastIndex());
        }
        entries.add(e);
        if (e.payload() instanceof EntryPayload.ConfigChange c) {
            configs.put(e.index(), c.membership());
        }
    }

    /** Removes the entries from {@code index} on (a conflict with the leader's log). */
    void truncateFrom(long index) {
        if (index <= snapshotIndex) {
            throw new IllegalStateException("truncation at " + index + " inside the snapshot " + snapshotIndex);
        }
        if (index > lastIndex()) {
            return;
        }
        entries.subList((int) (index - snapshotIndex - 1), entries.size()).clear();
        configs.tailMap(index, true).clear();
        unstableFrom = Math.min(unstableFrom, index);
    }

    /**
     * Entries from {@code from} to at most {@code to} (inclusive), at most {@code maxCount} of them and about
     * {@code maxBytes} (at least one when the range is not empty).
     */
    List<LogEntry> slice(long from, long to, int maxCount, long maxBytes) {
        long end = Math.min(to, lastIndex());
        if (from > end) {
            return List.of();
        }
        int lo = (int) (from - snapshotIndex - 1);
        int hi = (int) Math.min(end - snapshotIndex, (long) lo + maxCount);
        long bytes = 0;
        int cut = lo;
        while (cut < hi) {
            bytes += entries.get(cut).sizeBytes();
            if (bytes > maxBytes && cut > lo) {
                break;
            }
            cut++;
        }
        return new ArrayList<>(entries.subList(lo, cut));
    }

    /** The entries not yet handed to the driver for persisting; marks them handed. */
    List<LogEntry> takeUnstable() {
        long last = lastIndex();
        if (unstableFrom > last) {
            return List.of();
        }
        List<LogEntry> out = new ArrayList<>(entries.subList((int) (unstableFrom - snapshotIndex - 1), entries.size()));
        unstableFrom = last + 1;
        return out;
    }

    /** Discards the entries up to {@code index} (covered by a snapshot taken there). */
    void compact(long index) {
        if (index <= snapshotIndex) {
            return;
        }
        if (index > lastIndex()) {
            throw new IllegalStateException("compaction at " + index + " beyond the last index " + lastIndex());
        }
        long t = term(index);
        Membership m = membershipAt(index);
        entries.subList(0, (int) (index - snapshotIndex)).clear();
        configs.headMap(index, true).clear();
        snapshotIndex = index;
        snapshotTerm = t;
        snapshotMembership = m;
        unstableFrom = Math.max(unstableFrom, index + 1);
    }

    /** Replaces the whole log by a snapshot received from the leader. */
    void restore(SnapshotMeta meta) {
        entries.clear();
        configs.clear();
        snapshotIndex = meta.index();
        snapshotTerm = meta.term();
        snapshotMembership = meta.membership();
        unstableFrom = snapshotIndex + 1;
    }

    /** The configuration in force: the last one in the log, appended or not, committed or not. */
    Membership membership() {
        return configs.isEmpty() ? snapshotMembership : configs.lastEntry().getValue();
    }

    Membership membershipAt(long index) {
        Map.Entry<Long, Membership> e = configs.floorEntry(index);
        return e == null ? snapshotMembership : e.getValue();
    }

    /** Index of the last configuration entry in the log, or the snapshot index if there is none. */
    long lastConfigIndex() {
        return configs.isEmpty() ? snapshotIndex : configs.lastKey();
    }

    /**
     * The largest index at or below {@code index} whose term is at most {@code term}: everything above it conflicts with
     * a log whose entry at {@code index} has term {@code term}. Returns {@code index} itself when it is compacted.
     */
    long findConflictByTerm(long index, long term) {
        long i = Math.min(index, lastIndex());
        if (i < snapshotIndex) {
            return i;
        }
        while (i > snapshotIndex && term(i) > term) {
            i--;
        }
        return i;
    }
}

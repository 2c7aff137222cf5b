package org.agentmesh.memory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.agentmesh.raft.StateMachine;

/**
 * The mesh memory: a namespaced key-value store of JSON values with versions and TTLs, replicated by Raft.
 *
 * <p><b>Versions are Raft log indexes.</b> A write applied at log index {@code i} gives the key version {@code i}.
 * Log indexes are unique and increase, so versions of one key strictly increase across writes, a key deleted and
 * created again never reuses an old version (a stale {@code Cas} cannot succeed against the new key), and no
 * per-key counter has to outlive the key. The price: versions of a key are not consecutive.
 *
 * <p><b>Time</b> comes only from the commands ({@code nowMillis}, set by the proposer) and from the callers of the
 * queries; the store never reads a clock, so {@link #apply} is deterministic. An entry whose {@code expiresAtMillis}
 * is reached is absent for every read and write; it stays in the state (and the snapshot) until a write to its key or
 * a {@link MemoryCommand.Purge} removes it. Expiry is only as exact as the proposers' clocks agree.
 *
 * <p><b>Reads</b> ({@link #retrieve}, {@link #list}, {@link #search}) are queries on the current state, meant to be
 * served after a Raft ReadIndex round; they are not commands.
 *
 * <p>JSON values are mutable objects, so values are copied on the way in and out: a caller changing a value it
 * passed or got back cannot change the replicated state behind Raft's back (replicas would silently diverge).
 *
 * <p>Not thread-safe: one Raft member (actor) owns it.
 */
public final class MemoryStore implements StateMachine {

    private final MemoryCodec codec;
    private final int maxValueBytes;
    // sorted maps: list/search come out sorted and snapshots are byte-for-byte deterministic
    private final TreeMap<String, TreeMap<String, Entry>> namespaces = new TreeMap<>();
    private long lastAppliedIndex;
    /**
     * No entry expires before this (a lower bound: deletes and overwrites do not raise it, a purge recomputes it). Not
     * part of the replicated state; it only tells the leader whether a purge is worth proposing.
     */
    private long earliestExpiryMillis = Long.MAX_VALUE;

    public MemoryStore() {
        this(new MemoryCodec(), MemoryLimits.MAX_VALUE_BYTES);
    }

    /** All replicas of one store must use the same {@code maxValueBytes}, or they could decide differently. */
    public MemoryStore(MemoryCodec codec, int maxValueBytes) {
        this.codec = codec;
        this.maxValueBytes = maxValueBytes;
    }

    public long lastAppliedIndex() {
        return lastAppliedIndex;
    }

    /** Number of entries held, expired but not yet purged ones included. */
    public int size() {
        int n = 0;
        for (TreeMap<String, Entry> entries : namespaces.values()) {
            n += entries.size();
        }
        return n;
    }

    /** Whether some entry may be expired at {@code nowMillis} and not purged yet (a purge would then remove it). */
    public boolean mayHoldExpiredAt(long nowMillis) {
        return earliestExpiryMillis != Long.MAX_VALUE && earliestExpiryMillis <= nowMillis;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        return codec.encodeResult(applyEncoded(index, command));
    }

    /** {@link #apply(long, byte[])} with the result as an object, for a driver that answers its clients in-process. */
    public MemoryResult applyEncoded(long index, byte[] command) {
        advanceIndex(index);
        try {
            MemoryCommand decoded = codec.decodeCommand(command);
            decoded.validate(codec, command.length <= maxValueBytes ? MemoryCommand.SIZE_ALREADY_CHECKED : maxValueBytes);
            return execute(index, decoded, false); // decoded here: nobody else holds its value
        } catch (InvalidFieldException e) {
            return new MemoryResult.Rejected(e.field(), e.reason());
        }
    }

    /** The typed form of {@link #apply(long, byte[])}, for callers that hold the command as an object. */
    public MemoryResult apply(long index, MemoryCommand command) {
        advanceIndex(index);
        try {
            command.validate(codec, maxValueBytes);
            return execute(index, command, true);
        } catch (InvalidFieldException e) {
            return new MemoryResult.Rejected(e.field(), e.reason());
        }
    }

    private void advanceIndex(long index) {
        // versions are log indexes: applying an index twice or out of order would break their uniqueness
        if (index <= lastAppliedIndex) {
            throw new IllegalArgumentException("index " + index + " is not after the last applied index " + lastAppliedIndex);
        }
        lastAppliedIndex = index;
    }

    private MemoryResult execute(long index, MemoryCommand command, boolean copyValue) {
        if (command instanceof MemoryCommand.Store s) {
            put(s.namespace(), s.key(), new Entry(copyValue ? s.value().deepCopy() : s.value(), index, s.expiresAtMillis()));
            return new MemoryResult.Stored(index);
        } else if (command instanceof MemoryCommand.Delete d) {
            Optional<Entry> live = live(d.namespace(), d.key(), d.nowMillis());
            // an expired entry goes too: it is already absent, and removing it keeps state small
            removeEntry(d.namespace(), d.key());
            return live.<MemoryResult>map(e -> new MemoryResult.Deleted(e.version())).orElseGet(MemoryResult.NotFound::new);
        } else if (command instanceof MemoryCommand.Cas c) {
            long current = live(c.namespace(), c.key(), c.nowMillis()).map(Entry::version).orElse(0L);
            if (current != c.expectedVersion()) {
                return new MemoryResult.CasConflict(current);
            }
            put(c.namespace(), c.key(), new Entry(copyValue ? c.value().deepCopy() : c.value(), index, c.expiresAtMillis()));
            return new MemoryResult.CasOk(index);
        } else if (command instanceof MemoryCommand.Purge p) {
            return new MemoryResult.Purged(purge(p.nowMillis()));
        }
        throw new IllegalStateException("unknown command " + command.getClass());
    }

    private int purge(long nowMillis) {
        int removed = 0;
        long earliest = Long.MAX_VALUE;
        for (Iterator<TreeMap<String, Entry>> ns = namespaces.values().iterator(); ns.hasNext(); ) {
            TreeMap<String, Entry> entries = ns.next();
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.isExpiredAt(nowMillis)) {
                    it.remove();
                    removed++;
                } else if (e.expiresAtMillis() != 0) {
                    earliest = Math.min(earliest, e.expiresAtMillis());
                }
            }
            if (entries.isEmpty()) {
                ns.remove();
            }
        }
        earliestExpiryMillis = earliest;
        return removed;
    }

    /** The live entry of a key; expired entries are absent. */
    public Optional<Entry> retrieve(String namespace, String key, long nowMillis) {
        MemoryLimits.requireValidNamespace(namespace);
        MemoryLimits.requireValidKey(key);
        return live(namespace, key, nowMillis).map(MemoryStore::copyOf);
    }

    /** Every live entry of a namespace whose key starts with {@code prefix} (may be empty), sorted by key. */
    public List<Item> list(String namespace, String prefix, long nowMillis) {
        return list(namespace, prefix, MemoryLimits.MAX_RESULT_LIMIT, nowMillis);
    }

    /** Like {@link #list(String, String, long)}, returning at most {@code limit} items (the first ones by key). */
    public List<Item> list(String namespace, String prefix, int limit, long nowMillis) {
        MemoryLimits.requireValidNamespace(namespace);
        MemoryLimits.requireValidPrefix(prefix);
        MemoryLimits.requireValidLimit(limit);
        List<Item> out = new ArrayList<>();
        TreeMap<String, Entry> entries = namespaces.get(namespace);
        if (entries == null) {
            return out;
        }
        for (Map.Entry<String, Entry> e : entries.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix) || out.size() == limit) {
                break;
            }
            if (!e.getValue().isExpiredAt(nowMillis)) {
                out.add(new Item(namespace, e.getKey(), copyOf(e.getValue())));
            }
        }
        return out;
    }

    /**
     * Live entries whose key matches {@code pattern} (see {@link KeyPattern}: substring, or glob with {@code *} and
     * {@code ?}), in one namespace or, if {@code namespace} is empty, in all; sorted by namespace then key, at most
     * {@code limit} of them.
     */
    public List<Item> search(String namespace, String pattern, int limit, long nowMillis) {
        if (!MemoryLimits.present(namespace, "namespace").isEmpty()) {
            MemoryLimits.requireValidNamespace(namespace);
        }
        KeyPattern keyPattern = new KeyPattern(pattern);
        MemoryLimits.requireValidLimit(limit);
        Map<String, TreeMap<String, Entry>> scope = namespace.isEmpty()
                ? namespaces
                : namespaces.containsKey(namespace) ? Map.of(namespace, namespaces.get(namespace)) : Map.of();
        List<Item> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<String, Entry>> ns : scope.entrySet()) {
            for (Map.Entry<String, Entry> e : ns.getValue().entrySet()) {
                if (out.size() == limit) {
                    return out;
                }
                if (!e.getValue().isExpiredAt(nowMillis) && keyPattern.matches(e.getKey())) {
                    out.add(new Item(ns.getKey(), e.getKey(), copyOf(e.getValue())));
                }
            }
        }
        return out;
    }

    /** Search over all namespaces. */
    public List<Item> search(String pattern, int limit, long nowMillis) {
        return search("", pattern, limit, nowMillis);
    }

    @Override
    public byte[] snapshot() {
        return codec.encodeSnapshot(snapshotState());
    }

    /** The state as data, e.g. for tests and diagnostics. */
    public MemorySnapshot snapshotState() {
        List<Item> items = new ArrayList<>(size());
        namespaces.forEach((ns, entries) -> entries.forEach((key, entry) -> items.add(new Item(ns, key, entry))));
        return new MemorySnapshot(MemorySnapshot.CURRENT_FORMAT, lastAppliedIndex, items);
    }

    @Override
    public void restore(byte[] snapshot) {
        MemorySnapshot s = codec.decodeSnapshot(snapshot);
        if (s.format() != MemorySnapshot.CURRENT_FORMAT) {
            throw new IllegalArgumentException("snapshot format " + s.format() + " is not supported (expected "
                    + MemorySnapshot.CURRENT_FORMAT + ")");
        }
        namespaces.clear();
        earliestExpiryMillis = Long.MAX_VALUE;
        for (Item item : s.items()) {
            put(item.namespace(), item.key(), item.entry());
        }
        lastAppliedIndex = s.lastAppliedIndex();
    }

    private Optional<Entry> live(String namespace, String key, long nowMillis) {
        TreeMap<String, Entry> entries = namespaces.get(namespace);
        Entry e = entries == null ? null : entries.get(key);
        return e == null || e.isExpiredAt(nowMillis) ? Optional.empty() : Optional.of(e);
    }

    private static Entry copyOf(Entry e) {
        return new Entry(e.value().deepCopy(), e.version(), e.expiresAtMillis());
    }

    private void put(String namespace, String key, Entry entry) {
        entries(namespace).put(key, entry);
        if (entry.expiresAtMillis() != 0) {
            earliestExpiryMillis = Math.min(earliestExpiryMillis, entry.expiresAtMillis());
        }
    }

    private TreeMap<String, Entry> entries(String namespace) {
        return namespaces.computeIfAbsent(namespace, ns -> new TreeMap<>());
    }

    private void removeEntry(String namespace, String key) {
        TreeMap<String, Entry> entries = namespaces.get(namespace);
        if (entries != null && entries.remove(key) != null && entries.isEmpty()) {
            namespaces.remove(namespace);
        }
    }
}

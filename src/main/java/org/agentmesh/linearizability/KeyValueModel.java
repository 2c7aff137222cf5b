package org.agentmesh.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The sequential specification of the mesh memory seen as a map of versioned registers, one partition per key.
 *
 * <p>What it checks, per key:
 * <ul>
 *   <li><b>values exactly</b>: a get returns the value of the last write before it in the linearization, or absent
 *       after a delete or before any write;</li>
 *   <li><b>presence exactly</b>: delete reports {@link KvOutput.Deleted} iff the key was present, cas with expected
 *       version 0 succeeds iff it was absent;</li>
 *   <li><b>versions loosely</b>: versions are Raft log indexes, which the model cannot predict, so it checks that every
 *       write's new version exceeds every version seen for the key earlier in the linearization (deletes included:
 *       versions are never reused), that reads, deletes and conflicts report the current version, and that a cas
 *       succeeds only on the current version. After a pending write the version is unknown; the first later
 *       operation that reports one fixes it (it must exceed the versions seen before the write).</li>
 * </ul>
 * Values are strings (e.g. JSON text); give every write a distinct value for the sharpest check.
 */
public final class KeyValueModel implements Model<KeyValueModel.KvState, KeyValueModel.KvInput, KeyValueModel.KvOutput> {

    /** Version of a present key written by a pending operation: some number above {@code floor}. */
    public static final long UNKNOWN_VERSION = -1;

    /** An operation on one key. */
    public sealed interface KvInput permits Put, Get, Delete, Cas {
        String key();
    }

    /** Writes {@code value}; answered by {@link Written}. */
    public record Put(String key, String value) implements KvInput {}

    /** Reads; answered by {@link Found} or {@link Absent}. */
    public record Get(String key) implements KvInput {}

    /** Removes; answered by {@link Deleted} or {@link NotFound}. */
    public record Delete(String key) implements KvInput {}

    /** {@code expectedVersion == 0}: create only if absent. */
    public record Cas(String key, long expectedVersion, String value) implements KvInput {}

    /** What an operation returned. */
    public sealed interface KvOutput permits Written, Found, Absent, Deleted, NotFound, CasOk, CasConflict {}

    /** A put's new version. */
    public record Written(long version) implements KvOutput {}

    /** A get's answer when the key is present. */
    public record Found(String value, long version) implements KvOutput {}

    /** A get's answer when the key is absent (never written, deleted or expired). */
    public record Absent() implements KvOutput {}

    /** A delete removed the key, which had {@code version}. */
    public record Deleted(long version) implements KvOutput {}

    /** A delete found nothing to remove. */
    public record NotFound() implements KvOutput {}

    /** A cas matched and wrote {@code newVersion}. */
    public record CasOk(long newVersion) implements KvOutput {}

    /** {@code currentVersion} is 0 if the key was absent. */
    public record CasConflict(long currentVersion) implements KvOutput {}

    /**
     * One key's state: present with {@code value} and {@code version} ({@link #UNKNOWN_VERSION} after a pending write),
     * or absent; {@code floor} is the highest version seen for the key so far, which any later write must exceed.
     */
    public record KvState(boolean present, String value, long version, long floor) {
        static final KvState INITIAL = new KvState(false, "", 0, 0);

        KvState written(String newValue, long newVersion) {
            return new KvState(true, newValue, newVersion, Math.max(floor, newVersion));
        }

        KvState deleted(long seenVersion) {
            return new KvState(false, "", 0, Math.max(floor, seenVersion));
        }

        /** Whether the current version may be {@code v}; true for any {@code v > floor} when it is unknown. */
        boolean versionMayBe(long v) {
            return present && v > 0 && (version == v || (version == UNKNOWN_VERSION && v > floor));
        }

        /** The state once an operation has reported the current version {@code v}. */
        KvState withVersionSeen(long v) {
            return new KvState(present, value, v, Math.max(floor, v));
        }
    }

    @Override
    public KvState init() {
        return KvState.INITIAL;
    }

    @Override
    public StepResult<KvState> step(KvState s, KvInput input, KvOutput output) {
        if (input instanceof Put && output instanceof Written w) {
            return w.version() > s.floor() ? StepResult.legal(s.written(((Put) input).value(), w.version())) : StepResult.illegal();
        }
        if (input instanceof Get) {
            if (output instanceof Absent) {
                return s.present() ? StepResult.illegal() : StepResult.legal(s);
            }
            if (output instanceof Found f) {
                return s.versionMayBe(f.version()) && s.value().equals(f.value())
                        ? StepResult.legal(s.withVersionSeen(f.version())) : StepResult.illegal();
            }
        }
        if (input instanceof Delete) {
            if (output instanceof NotFound) {
                return s.present() ? StepResult.illegal() : StepResult.legal(s);
            }
            if (output instanceof Deleted d) {
                return s.versionMayBe(d.version()) ? StepResult.legal(s.deleted(d.version())) : StepResult.illegal();
            }
        }
        if (input instanceof Cas c) {
            if (output instanceof CasOk ok) {
                boolean matches = c.expectedVersion() == 0 ? !s.present() : s.versionMayBe(c.expectedVersion());
                return matches && ok.newVersion() > Math.max(s.floor(), c.expectedVersion())
                        ? StepResult.legal(s.written(c.value(), ok.newVersion())) : StepResult.illegal();
            }
            if (output instanceof CasConflict conflict) {
                if (conflict.currentVersion() == 0) {
                    return !s.present() && c.expectedVersion() != 0 ? StepResult.legal(s) : StepResult.illegal();
                }
                return conflict.currentVersion() != c.expectedVersion() && s.versionMayBe(conflict.currentVersion())
                        ? StepResult.legal(s.withVersionSeen(conflict.currentVersion())) : StepResult.illegal();
            }
        }
        // an output of the wrong kind for its input (a put answered by Found, say) is never legal
        return StepResult.illegal();
    }

    @Override
    public List<KvState> stepPending(KvState s, KvInput input) {
        if (input instanceof Put p) {
            return List.of(new KvState(true, p.value(), UNKNOWN_VERSION, s.floor()));
        }
        if (input instanceof Delete) {
            return List.of(s.present() ? new KvState(false, "", 0, s.floor()) : s);
        }
        if (input instanceof Cas c) {
            // a matching cas found version expectedVersion, so the version it wrote is above it
            KvState afterWrite = new KvState(true, c.value(), UNKNOWN_VERSION, Math.max(s.floor(), c.expectedVersion()));
            if (c.expectedVersion() == 0) {
                return List.of(s.present() ? s : afterWrite);
            }
            if (s.present() && s.version() == c.expectedVersion()) {
                return List.of(afterWrite);
            }
            // against an unknown version the cas may have matched or not
            return s.versionMayBe(c.expectedVersion()) ? List.of(s, afterWrite) : List.of(s);
        }
        return List.of(s); // a get changes nothing
    }

    @Override
    public Map<String, List<Operation<KvInput, KvOutput>>> partition(List<Operation<KvInput, KvOutput>> operations) {
        Map<String, List<Operation<KvInput, KvOutput>>> byKey = new TreeMap<>();
        for (Operation<KvInput, KvOutput> op : operations) {
            byKey.computeIfAbsent("key=" + Objects.requireNonNull(op.input().key(), "key"), k -> new ArrayList<>()).add(op);
        }
        return byKey;
    }
}

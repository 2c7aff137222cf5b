package org.agentmesh.gossip;

import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.agentmesh.serialization.CborSerializable;

/**
 * One peer's entry in every view. Only the owner creates new versions (a data change bumps {@code version}; the
 * {@code heartbeat} counts the owner's rounds and travels with a change); other peers only copy it, or re-mark it
 * SUSPECTED/DEAD at the same version.
 *
 * <p>Entries are ordered by {@link #stamp()}: the higher version wins, and at equal versions the more severe status
 * wins ({@link PeerStatus} order), so every peer resolves a conflict the same way.
 *
 * @param links the owner's current overlay links, so that other peers (and a dashboard) can see the topology
 * @param changedAtMillis the owner's clock when it made this version (0: unknown), so a receiver can measure how long
 *                        the change took to reach it (across nodes this assumes their clocks are in step)
 */
public record PeerEntry(String peerId, long version, long heartbeat, SortedSet<String> capabilities, double load,
                        double reputation, PeerStatus status, SortedSet<String> links, long changedAtMillis)
        implements CborSerializable {

    /** Versions must leave room for the two status bits of {@link #stamp()}. */
    public static final long MAX_VERSION = Long.MAX_VALUE >> 2;

    public PeerEntry {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(status, "status");
        if (version < 0 || version > MAX_VERSION) {
            throw new IllegalArgumentException("version out of range: " + version);
        }
        // (running + queued) / capacity: above 1 when tasks queue, which work stealing needs to see
        if (!(load >= 0.0) || Double.isInfinite(load)) {
            throw new IllegalArgumentException("load must be finite and >= 0, was " + load);
        }
        if (!Double.isFinite(reputation)) {
            throw new IllegalArgumentException("reputation must be finite, was " + reputation);
        }
        capabilities = sorted(capabilities);
        links = sorted(links);
    }

    /** An entry whose time of change is not known. */
    public PeerEntry(String peerId, long version, long heartbeat, SortedSet<String> capabilities, double load,
            double reputation, PeerStatus status, SortedSet<String> links) {
        this(peerId, version, heartbeat, capabilities, load, reputation, status, links, 0);
    }

    /** The total order used to merge: version first, then status severity. */
    public long stamp() {
        return (version << 2) | status.ordinal();
    }

    public PeerEntry withStatus(PeerStatus newStatus) {
        return new PeerEntry(peerId, version, heartbeat, capabilities, load, reputation, newStatus, links, changedAtMillis);
    }

    /**
     * An immutable sorted copy. Always a copy (an unmodifiable view could wrap a set its owner still changes); cheap,
     * since only the owner creates entries, once per round, and other peers share them as they are.
     */
    static SortedSet<String> sorted(Collection<String> values) {
        Objects.requireNonNull(values, "set");
        return Collections.unmodifiableSortedSet(new TreeSet<>(values));
    }
}

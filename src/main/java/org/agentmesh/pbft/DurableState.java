package org.agentmesh.pbft;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.serialization.CborSerializable;

/**
 * A replica's durable state: the fold of its {@link DurableEvent}s, what {@link PbftCore#recover} starts from after a
 * restart. Only what lies after the stable checkpoint is kept (with the checkpoint's state), so it stays bounded by
 * the log size; a shell may store it as a snapshot and drop the events before it.
 */
public record DurableState(long view, boolean active, long stableSeq, String stableDigest,
        List<PbftMessage.Checkpoint> stableProof, ReplicaSnapshot stableState, Map<Long, List<PbftMessage.Request>> executed,
        Map<Long, PbftMessage.PrePrepare> accepted, Map<Long, PreparedCertificate> prepared) implements CborSerializable {

    public DurableState {
        stableProof = List.copyOf(stableProof);
        executed = new TreeMap<>(executed);
        accepted = new TreeMap<>(accepted);
        prepared = new TreeMap<>(prepared);
    }

    /** A replica that never ran: view 0, nothing executed. */
    public static DurableState initial() {
        return new DurableState(0, true, 0, "", List.of(), new ReplicaSnapshot(0, "", Map.of()), Map.of(), Map.of(), Map.of());
    }

    public DurableState apply(DurableEvent event) {
        TreeMap<Long, List<PbftMessage.Request>> ex = new TreeMap<>(executed);
        TreeMap<Long, PbftMessage.PrePrepare> acc = new TreeMap<>(accepted);
        TreeMap<Long, PreparedCertificate> prep = new TreeMap<>(prepared);
        if (event instanceof DurableEvent.ViewEntered v) {
            if (v.view() != view) {
                acc.clear(); // pre-prepares belong to their view
            }
            return new DurableState(v.view(), v.active(), stableSeq, stableDigest, stableProof, stableState, ex, acc, prep);
        } else if (event instanceof DurableEvent.Accepted a) {
            if (a.prePrepare().view() == view && a.prePrepare().seq() > stableSeq) {
                acc.put(a.prePrepare().seq(), a.prePrepare());
            }
        } else if (event instanceof DurableEvent.Prepared p) {
            long seq = p.certificate().prePrepare().seq();
            PreparedCertificate had = prep.get(seq);
            if (seq > stableSeq && (had == null || had.prePrepare().view() <= p.certificate().prePrepare().view())) {
                prep.put(seq, p.certificate());
            }
        } else if (event instanceof DurableEvent.Executed e) {
            if (e.seq() > stableSeq) {
                ex.put(e.seq(), e.batch());
            }
        } else if (event instanceof DurableEvent.Stable s) {
            if (s.seq() <= stableSeq) {
                return this;
            }
            ex.headMap(s.seq(), true).clear();
            acc.headMap(s.seq(), true).clear();
            prep.headMap(s.seq(), true).clear();
            return new DurableState(view, active, s.seq(), s.digest(), s.proof(), s.snapshot(), ex, acc, prep);
        }
        return new DurableState(view, active, stableSeq, stableDigest, stableProof, stableState, ex, acc, prep);
    }

    /** Folds events in order onto this state. */
    public DurableState applyAll(List<DurableEvent> events) {
        DurableState s = this;
        for (DurableEvent e : events) {
            s = s.apply(e);
        }
        return s;
    }
}

package org.agentmesh.pbft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.List;
import java.util.Map;
import org.agentmesh.pbft.PbftMessage.Checkpoint;
import org.agentmesh.pbft.PbftMessage.PrePrepare;
import org.agentmesh.pbft.PbftMessage.Prepare;
import org.agentmesh.pbft.PbftMessage.Request;
import org.junit.jupiter.api.Test;

/** The fold of a replica's durable events: what it keeps, what a stable checkpoint or a new view lets it forget. */
class DurableStateTest {

    private static final Request R1 = new Request("c", 1, "op1", "s1");
    private static final Request R2 = new Request("c", 2, "op2", "s2");

    private static PrePrepare pp(long view, long seq, List<Request> batch) {
        return new PrePrepare(view, seq, CanonicalEncoding.digest(batch), batch, "r" + view % 4, "sig");
    }

    private static PreparedCertificate cert(PrePrepare pp) {
        return new PreparedCertificate(pp, List.of(new Prepare(pp.view(), pp.seq(), pp.digest(), "r1", "s"),
                new Prepare(pp.view(), pp.seq(), pp.digest(), "r2", "s")));
    }

    @Test
    void keepsWhatFollowsTheStableCheckpointAndPreAcceptedSlotsOfItsViewOnly() {
        DurableState s = DurableState.initial().applyAll(List.of(
                new DurableEvent.Accepted(pp(0, 1, List.of(R1))),
                new DurableEvent.Prepared(cert(pp(0, 1, List.of(R1)))),
                new DurableEvent.Executed(1, List.of(R1)),
                new DurableEvent.Accepted(pp(0, 2, List.of(R2))),
                new DurableEvent.Accepted(pp(7, 3, List.of(R2)))));   // not of its view: ignored
        assertEquals(List.of(1L, 2L), List.copyOf(s.accepted().keySet()));
        assertEquals(List.of(1L), List.copyOf(s.executed().keySet()));
        assertEquals(List.of(1L), List.copyOf(s.prepared().keySet()));

        s = s.apply(new DurableEvent.ViewEntered(1, false));
        assertEquals(Map.of(), s.accepted(), "pre-prepares belong to the view they were accepted in");
        assertEquals(1, s.prepared().size(), "certificates are carried into view changes");
        assertEquals(false, s.active());

        ReplicaSnapshot at1 = new ReplicaSnapshot(1, "state", Map.of("c", new ReplicaSnapshot.ClientEntry(1, "ok")));
        s = s.apply(new DurableEvent.Stable(1, "d", List.of(new Checkpoint(1, "d", "r0", "s")), at1));
        assertEquals(1, s.stableSeq());
        assertEquals(at1, s.stableState());
        assertEquals(Map.of(), s.executed());
        assertEquals(Map.of(), s.prepared());
        assertEquals(s, s.apply(new DurableEvent.Stable(1, "other", List.of(), at1)), "an older or equal checkpoint changes nothing");
    }

    @Test
    void eventsAndStatesRoundTripThroughCbor() throws Exception {
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        ReplicaSnapshot at1 = new ReplicaSnapshot(1, "state", Map.of("c", new ReplicaSnapshot.ClientEntry(1, "ok")));
        List<DurableEvent> events = List.of(new DurableEvent.ViewEntered(2, true), new DurableEvent.Accepted(pp(2, 2, List.of(R2))),
                new DurableEvent.Prepared(cert(pp(2, 2, List.of(R2)))), new DurableEvent.Executed(2, List.of(R2)),
                new DurableEvent.Stable(1, "d", List.of(new Checkpoint(1, "d", "r0", "s")), at1));
        for (DurableEvent e : events) {
            assertEquals(e, cbor.readValue(cbor.writeValueAsBytes(e), DurableEvent.class));
        }
        DurableState s = DurableState.initial().applyAll(events);
        assertEquals(s, cbor.readValue(cbor.writeValueAsBytes(s), DurableState.class));
    }
}

package org.agentmesh.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agentmesh.serialization.CborSerializable;
import org.junit.jupiter.api.Test;

/**
 * Every message and every persisted record round-trips through Jackson CBOR (a plain {@link ObjectMapper} on a
 * {@link CBORFactory}, as Pekko's jackson-cbor serializer uses). The sealed hierarchies are enumerated, so a new message
 * type without a sample here fails the test.
 */
class RaftSerializationTest {

    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    private static final Membership MEMBERS = new Membership(List.of("n1", "n2", "n3"), List.of("n4"));
    private static final LogEntry COMMAND = LogEntry.command(7, 3, new byte[] {1, 2, 3, -1});
    private static final LogEntry NOOP = new LogEntry(8, 3, new EntryPayload.NoOp());
    private static final LogEntry CONFIG = new LogEntry(9, 3, new EntryPayload.ConfigChange(MEMBERS));
    private static final Snapshot SNAPSHOT = new Snapshot(new SnapshotMeta(6, 2, MEMBERS), new byte[] {9, 8, 7});

    private static Map<Class<?>, Object> messageSamples() {
        Map<Class<?>, Object> m = new LinkedHashMap<>();
        m.put(RaftMessage.PreVoteRequest.class, new RaftMessage.PreVoteRequest("n1", "n2", 4, 9, 3));
        m.put(RaftMessage.PreVoteResponse.class, new RaftMessage.PreVoteResponse("n2", "n1", 4, true));
        m.put(RaftMessage.VoteRequest.class, new RaftMessage.VoteRequest("n1", "n2", 4, 9, 3, true));
        m.put(RaftMessage.VoteResponse.class, new RaftMessage.VoteResponse("n2", "n1", 4, false));
        m.put(RaftMessage.AppendEntries.class,
                new RaftMessage.AppendEntries("n1", "n2", 3, 6, 2, List.of(COMMAND, NOOP, CONFIG), 7));
        m.put(RaftMessage.AppendEntriesResponse.class,
                new RaftMessage.AppendEntriesResponse("n2", "n1", 3, false, 6, 5, 2));
        m.put(RaftMessage.Heartbeat.class, new RaftMessage.Heartbeat("n1", "n2", 3, 7, 11));
        m.put(RaftMessage.HeartbeatResponse.class, new RaftMessage.HeartbeatResponse("n2", "n1", 3, 11));
        m.put(RaftMessage.InstallSnapshot.class, new RaftMessage.InstallSnapshot("n1", "n2", 3, SNAPSHOT));
        m.put(RaftMessage.TimeoutNow.class, new RaftMessage.TimeoutNow("n1", "n2", 3));
        m.put(RaftMessage.ReadIndexRequest.class, new RaftMessage.ReadIndexRequest("n2", "n1", 3, 42));
        m.put(RaftMessage.ReadIndexResponse.class, new RaftMessage.ReadIndexResponse("n1", "n2", 3, 42, 7, true));
        return m;
    }

    private static Map<Class<?>, Object> payloadSamples() {
        Map<Class<?>, Object> m = new LinkedHashMap<>();
        m.put(EntryPayload.Command.class, COMMAND.payload());
        m.put(EntryPayload.NoOp.class, NOOP.payload());
        m.put(EntryPayload.ConfigChange.class, CONFIG.payload());
        return m;
    }

    private static List<Object> persistedSamples() {
        List<Object> l = new ArrayList<>();
        l.add(new HardState(3, "n1", 7));
        l.add(HardState.INITIAL);
        l.addAll(List.of(COMMAND, NOOP, CONFIG, SNAPSHOT, SNAPSHOT.meta(), MEMBERS, Snapshot.bootstrap(MEMBERS)));
        l.add(MembershipChange.promoteLearner("n4"));
        return l;
    }

    private static <T> void roundTrip(Class<T> declared, Object value) throws Exception {
        byte[] bytes = CBOR.writerFor(declared).writeValueAsBytes(value);
        Object back = CBOR.readValue(bytes, declared);
        assertEquals(value, back, "round trip of " + value.getClass().getSimpleName() + " as " + declared.getSimpleName());
        assertEquals(value.getClass(), back.getClass());
    }

    @Test
    void everyRaftMessageRoundTripsAsRaftMessage() throws Exception {
        Map<Class<?>, Object> samples = messageSamples();
        for (Class<?> type : RaftMessage.class.getPermittedSubclasses()) {
            assertTrue(samples.containsKey(type), "no sample for message type " + type.getSimpleName());
            assertTrue(CborSerializable.class.isAssignableFrom(type));
            roundTrip(RaftMessage.class, samples.get(type));
        }
        assertEquals(RaftMessage.class.getPermittedSubclasses().length, samples.size());
    }

    @Test
    void everyEntryPayloadRoundTripsAsEntryPayload() throws Exception {
        Map<Class<?>, Object> samples = payloadSamples();
        for (Class<?> type : EntryPayload.class.getPermittedSubclasses()) {
            assertTrue(samples.containsKey(type), "no sample for payload type " + type.getSimpleName());
            roundTrip(EntryPayload.class, samples.get(type));
        }
    }

    @Test
    void persistedRecordsRoundTrip() throws Exception {
        for (Object o : persistedSamples()) {
            assertTrue(o instanceof CborSerializable, o.getClass() + " must be CborSerializable");
            roundTrip(o.getClass(), o);
        }
    }
}

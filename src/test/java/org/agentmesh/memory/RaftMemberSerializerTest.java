package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.agentmesh.raft.EntryPayload;
import org.agentmesh.raft.HardState;
import org.agentmesh.raft.LogEntry;
import org.agentmesh.raft.Membership;
import org.agentmesh.raft.RaftMessage;
import org.agentmesh.raft.Snapshot;
import org.agentmesh.raft.SnapshotMeta;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RaftMemberSerializerTest {

    private final ActorTestKit testKit = ActorTestKit.create();
    private final Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    private final ActorRef<RaftMember.Command> sender = testKit.<RaftMember.Command>createTestProbe().getRef();

    @AfterAll
    void stop() {
        testKit.shutdownTestKit();
    }

    private static final Membership MEMBERS = new Membership(List.of("agent-1", "agent-2", "agent-3"), List.of("agent-4"));
    private static final Snapshot SNAPSHOT = new Snapshot(new SnapshotMeta(40, 3, MEMBERS), new byte[] {1, 2, 3, -1});
    private static final List<LogEntry> ENTRIES = List.of(
            LogEntry.command(41, 3, "{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8)),
            new LogEntry(42, 4, new EntryPayload.NoOp()),
            new LogEntry(43, 4, new EntryPayload.ConfigChange(Membership.ofVoters("agent-1", "agent-2"))),
            LogEntry.command(44, 4, new byte[0]));

    static List<RaftMessage> everyMessage() {
        return List.of(
                new RaftMessage.PreVoteRequest("a", "b", 5, 44, 4),
                new RaftMessage.PreVoteResponse("b", "a", 5, true),
                new RaftMessage.VoteRequest("a", "b", 5, 44, 4, true),
                new RaftMessage.VoteResponse("b", "a", 5, false),
                new RaftMessage.AppendEntries("a", "b", 5, 40, 3, ENTRIES, 42),
                new RaftMessage.AppendEntries("a", "b", 5, 44, 4, List.of(), 44),
                new RaftMessage.AppendEntriesResponse("b", "a", 5, false, 40, 38, 2),
                new RaftMessage.Heartbeat("a", "", 5, 44, 17),
                new RaftMessage.HeartbeatResponse("b", "a", 5, 17),
                new RaftMessage.InstallSnapshot("a", "b", 5, SNAPSHOT),
                new RaftMessage.TimeoutNow("a", "b", 5),
                new RaftMessage.ReadIndexRequest("b", "a", 5, 99),
                new RaftMessage.ReadIndexResponse("a", "b", 5, 99, 44, true));
    }

    private Object roundTrip(Object o) throws Exception {
        Serializer serializer = serialization.findSerializerFor(o);
        assertTrue(serializer instanceof RaftMemberSerializer, o.getClass() + " is serialized by " + serializer);
        byte[] bytes = serialization.serialize(o).get();
        return serialization.deserialize(bytes, serializer.identifier(), ((RaftMemberSerializer) serializer).manifest(o)).get();
    }

    @Test
    void everyRaftMessageTypeRoundTripsInADeliver() throws Exception {
        Set<String> covered = everyMessage().stream().map(m -> m.getClass().getName()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> permitted = Arrays.stream(RaftMessage.class.getPermittedSubclasses()).map(Class::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(permitted, covered, "a sample of every message type");
        for (RaftMessage m : everyMessage()) {
            RaftMember.Deliver d = new RaftMember.Deliver(7, m, sender);
            assertEquals(d, roundTrip(d));
        }
    }

    @Test
    void persistedEventsRoundTrip() throws Exception {
        List<RaftMember.Persisted> events = List.of(
                new RaftMember.Persisted(new HardState(5, "agent-2", 42), List.of(), false, ENTRIES),
                new RaftMember.Persisted(new HardState(6, "", 44), List.of(SNAPSHOT), true, List.of()),
                new RaftMember.Persisted(HardState.INITIAL, List.of(SNAPSHOT), false, ENTRIES.subList(0, 1)));
        for (RaftMember.Persisted e : events) {
            assertEquals(e, roundTrip(e));
        }
    }

    /** Events journaled by the Jackson serializer before this one existed still read back (its id is in the journal). */
    @Test
    void eventsWrittenByJacksonStillReadBack() throws Exception {
        RaftMember.Persisted e = new RaftMember.Persisted(new HardState(5, "agent-2", 42), List.of(SNAPSHOT), false, ENTRIES);
        JacksonCborSerializer jackson = (JacksonCborSerializer) serialization.serializerFor(org.agentmesh.serialization.CborSerializable.class);
        byte[] old = jackson.toBinary(e);
        assertEquals(e, serialization.deserialize(old, jackson.identifier(), jackson.manifest(e)).get());
    }

    @Test
    void theBinaryFormIsSmallerThanCbor() throws Exception {
        RaftMember.Persisted e = new RaftMember.Persisted(new HardState(5, "agent-2", 42), List.of(), false, ENTRIES);
        JacksonCborSerializer jackson = (JacksonCborSerializer) serialization.serializerFor(org.agentmesh.serialization.CborSerializable.class);
        int cbor = jackson.toBinary(e).length;
        int binary = serialization.serialize(e).get().length;
        System.out.printf("a log write of 4 entries: %d bytes binary, %d bytes CBOR%n", binary, cbor);
        assertTrue(binary < cbor, binary + " >= " + cbor);
    }

    @Test
    void corruptOrUnknownInputIsRefused() {
        RaftMemberSerializer serializer = (RaftMemberSerializer) serialization.findSerializerFor(
                new RaftMember.Persisted(HardState.INITIAL, List.of(), false, List.of()));
        byte[] good = serializer.toBinary(new RaftMember.Persisted(HardState.INITIAL, List.of(), false, ENTRIES));
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(Arrays.copyOf(good, good.length - 5), "P"));
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(good, "X"));
        byte[] future = good.clone();
        future[0] = 9;
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(future, "P"));
    }
}

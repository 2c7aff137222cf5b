package org.agentmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.agentmesh.bench.GossipWireSize;
import org.agentmesh.serialization.CborSerializable;
import org.junit.jupiter.api.Test;

/** Every message type crosses the wire: each permitted subtype of the sealed protocol round-trips through CBOR. */
class GossipMessageSerializationTest {

    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    private static SortedSet<String> set(String... values) {
        return new TreeSet<>(Arrays.asList(values));
    }

    static Map<Class<?>, GossipMessage> samples() {
        Rumor joined = new Rumor("joined:p1:1000", RumorKind.JOINED, "p1", "p1", "");
        Rumor custom = new Rumor("p2:1000:1", RumorKind.CUSTOM, "p2", "p2", "model v2 deployed ✓");
        PeerEntry a = new PeerEntry("p1", 1_732_500_000_123L, 42, set("gpu", "nlp"), 0.25, 0.9, PeerStatus.ALIVE,
                set("p2", "p3", "p4"));
        PeerEntry b = new PeerEntry("p2", 7, 3, set(), 1.0, -0.5, PeerStatus.DEAD, set());
        PeerEntry c = new PeerEntry("p3", 12, 12, set("x"), 0.0, 1.0, PeerStatus.SUSPECTED, set("p1"));
        Map<Class<?>, GossipMessage> m = new LinkedHashMap<>();
        m.put(GossipMessage.Digest.class, new GossipMessage.Digest("p1",
                new long[] {PeerView.entryHash("p1", a.stamp()), -7L, 0L, Long.MIN_VALUE}, List.of(joined, custom),
                new PushSumShare(3, 0.125, 12.5, 0.25, 0.25, 0.0)));
        m.put(GossipMessage.Summary.class, new GossipMessage.Summary("p2", 4, new int[] {0, 3}, List.of("p1", "p2", "p3"),
                new long[] {a.stamp(), b.stamp(), c.stamp()}, List.of(joined)));
        m.put(GossipMessage.Reply.class, new GossipMessage.Reply("p2", List.of(a, b, c), List.of("p4", "p5"), List.of(custom)));
        m.put(GossipMessage.Push.class, new GossipMessage.Push("p1", List.of(a, new PeerEntry("p9", 1, 0, set(), 0.5, 1,
                PeerStatus.LEFT, set())), List.of(), 3));
        return m;
    }

    @Test
    void everySealedMessageTypeRoundTripsThroughJacksonCbor() throws Exception {
        Map<Class<?>, GossipMessage> samples = samples();
        Set<Class<?>> permitted = new HashSet<>(Arrays.asList(GossipMessage.class.getPermittedSubclasses()));
        assertEquals(permitted, samples.keySet(), "a sample for every permitted message type");
        for (GossipMessage original : samples.values()) {
            assertTrue(original instanceof CborSerializable);
            byte[] bytes = CBOR.writeValueAsBytes(original);
            GossipMessage back = CBOR.readValue(bytes, GossipMessage.class);
            assertEquals(original, back, "round trip of " + original.getClass().getSimpleName());
            assertEquals(original.getClass(), back.getClass());
            // the concrete class alone must do too: Pekko's serializer writes the class name as manifest
            assertEquals(original, CBOR.readValue(bytes, original.getClass()));
        }
    }

    @Test
    void sizeEstimateIsCloseToTheRealEncoding() throws Exception {
        for (GossipMessage m : samples().values()) {
            int real = CBOR.writeValueAsBytes(m).length;
            int estimate = GossipWireSize.estimate(m);
            assertTrue(Math.abs(estimate - real) <= 0.1 * real, m.getClass().getSimpleName() + ": estimate " + estimate
                    + " bytes, real " + real);
        }
    }

    @Test
    void malformedDigestIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new GossipMessage.Digest("p1",
                new long[] {1, 2, 3}, List.of(), new PushSumShare(0, 0, 0, 0, 0, 0)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new GossipMessage.Summary("p1",
                4, new int[] {1}, List.of("p1", "p2"), new long[] {1}, List.of()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new GossipMessage.Summary("p1",
                0, new int[] {}, List.of(), new long[] {}, List.of()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new GossipMessage.Push("p1",
                List.of(), List.of(), -1));
        // a load may exceed 1 (tasks queue) but is never negative or infinite
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PeerEntry("p1", 1, 1,
                set(), -0.5, 1, PeerStatus.ALIVE, set()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PeerEntry("p1", 1, 1,
                set(), Double.POSITIVE_INFINITY, 1, PeerStatus.ALIVE, set()));
    }
}

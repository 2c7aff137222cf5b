package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MemoryCodecTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private final MemoryCodec codec = new MemoryCodec();

    private static final JsonNode RICH = JSON.objectNode()
            .put("text", "héllo ✓")
            .put("int", 7)
            .put("long", 1L << 40)
            .put("double", 0.1)
            .put("bool", false)
            .putNull("nothing")
            .set("nested", JSON.objectNode().set("list", JSON.arrayNode().add(1).add("two").add(JSON.objectNode())));

    private static final List<MemoryCommand> COMMANDS = List.of(
            new MemoryCommand.Store("ns", "k", RICH, 0, 10),
            new MemoryCommand.Store("ns", "k", JSON.nullNode(), 99, 10),
            new MemoryCommand.Store("ns", "k", JSON.numberNode(BigInteger.TEN.pow(30)), 0, 10),
            new MemoryCommand.Delete("ns", "k", 10),
            new MemoryCommand.Cas("ns", "k", 0, JSON.textNode("x"), 0, 10),
            new MemoryCommand.Cas("ns", "k", 12, RICH, 50, 10),
            new MemoryCommand.Purge(10));

    private static final List<MemoryResult> RESULTS = List.of(
            new MemoryResult.Stored(3),
            new MemoryResult.Deleted(3),
            new MemoryResult.NotFound(),
            new MemoryResult.CasOk(4),
            new MemoryResult.CasConflict(0),
            new MemoryResult.Purged(2),
            new MemoryResult.Rejected("namespace", "must not be empty"));

    private static Set<Class<?>> classesOf(List<?> samples) {
        return samples.stream().map(Object::getClass).collect(Collectors.toSet());
    }

    @Test
    void everyCommandTypeRoundTrips() {
        // fails when a new command type is added without a sample here
        assertEquals(Set.of(MemoryCommand.class.getPermittedSubclasses()), classesOf(COMMANDS));
        for (MemoryCommand command : COMMANDS) {
            assertEquals(command, codec.decodeCommand(codec.encodeCommand(command)));
        }
    }

    @Test
    void everyResultTypeRoundTrips() {
        assertEquals(Set.of(MemoryResult.class.getPermittedSubclasses()), classesOf(RESULTS));
        for (MemoryResult result : RESULTS) {
            assertEquals(result, codec.decodeResult(codec.encodeResult(result)));
        }
    }

    @Test
    void snapshotsRoundTripAndEncodeDeterministically() {
        MemorySnapshot snapshot = new MemorySnapshot(MemorySnapshot.CURRENT_FORMAT, 17, List.of(
                new Item("a", "k1", new Entry(RICH, 3, 0)),
                new Item("b", "k2", new Entry(JSON.nullNode(), 17, 1234))));
        byte[] bytes = codec.encodeSnapshot(snapshot);
        MemorySnapshot decoded = codec.decodeSnapshot(bytes);
        assertEquals(snapshot, decoded);
        assertEquals(Arrays.toString(bytes), Arrays.toString(codec.encodeSnapshot(decoded)));
        assertEquals(Arrays.toString(bytes), Arrays.toString(new MemoryCodec().encodeSnapshot(snapshot)));
    }

    @Test
    void aCommandOfTheWrongShapeIsRefusedNamingTheField() {
        byte[] result = codec.encodeResult(new MemoryResult.Stored(1));
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> codec.decodeCommand(result));
        assertEquals("command", e.field());
        InvalidFieldException garbage = assertThrows(InvalidFieldException.class, () -> codec.decodeSnapshot(new byte[] {(byte) 0xff}));
        assertEquals("snapshot", garbage.field());
    }

    @Test
    void aCommandMissingAFieldIsRefusedNamingThatField() throws Exception {
        // a store without a namespace, as a peer running buggy code might send it
        byte[] bytes = new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper()
                .writeValueAsBytes(JSON.objectNode().put("type", "store").put("key", "k").put("nowMillis", 1).put("expiresAtMillis", 0)
                        .put("value", 1));
        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> codec.decodeCommand(bytes));
        assertEquals("namespace", e.field());
    }

    @Test
    void encodedSizeMeasuresTheValue() {
        int small = codec.encodedSize(JSON.textNode("x"));
        int large = codec.encodedSize(JSON.textNode("x".repeat(1000)));
        assertEquals(2, small);
        assertEquals(1003, large);
    }
}

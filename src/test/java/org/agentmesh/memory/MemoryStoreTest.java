package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.agentmesh.memory.MemoryCommand.Cas;
import org.agentmesh.memory.MemoryCommand.Delete;
import org.agentmesh.memory.MemoryCommand.Purge;
import org.agentmesh.memory.MemoryCommand.Store;
import org.agentmesh.memory.MemoryResult.CasConflict;
import org.agentmesh.memory.MemoryResult.CasOk;
import org.agentmesh.memory.MemoryResult.Deleted;
import org.agentmesh.memory.MemoryResult.NotFound;
import org.agentmesh.memory.MemoryResult.Purged;
import org.agentmesh.memory.MemoryResult.Rejected;
import org.agentmesh.memory.MemoryResult.Stored;
import org.junit.jupiter.api.Test;

class MemoryStoreTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final long NOW = 1_000_000L;

    private final MemoryStore store = new MemoryStore();
    private long index;

    private MemoryResult apply(MemoryCommand command) {
        return store.apply(++index, command);
    }

    private static JsonNode text(String s) {
        return JSON.textNode(s);
    }

    private static List<String> keys(List<Item> items) {
        return items.stream().map(i -> i.namespace() + "/" + i.key()).toList();
    }

    @Test
    void storeThenRetrieveGivesTheValueWithTheLogIndexAsVersion() {
        index = 41;
        ObjectNode value = JSON.objectNode().put("name", "agent-7").put("load", 0.25);
        assertEquals(new Stored(42), apply(new Store("swarm-1", "agents/7", value, 0, NOW)));
        assertEquals(Optional.of(new Entry(value, 42, 0)), store.retrieve("swarm-1", "agents/7", NOW));
        assertEquals(Optional.empty(), store.retrieve("swarm-1", "agents/8", NOW));
        assertEquals(Optional.empty(), store.retrieve("swarm-2", "agents/7", NOW));
    }

    @Test
    void overwritingAKeyRaisesItsVersion() {
        apply(new Store("ns", "k", text("a"), 0, NOW));
        apply(new Store("ns", "other", text("x"), 0, NOW));
        assertEquals(new Stored(3), apply(new Store("ns", "k", text("b"), 0, NOW)));
        assertEquals(new Entry(text("b"), 3, 0), store.retrieve("ns", "k", NOW).orElseThrow());
    }

    @Test
    void deleteRemovesAnExistingKeyAndReportsItsVersion() {
        apply(new Store("ns", "k", text("a"), 0, NOW));
        assertEquals(new Deleted(1), apply(new Delete("ns", "k", NOW)));
        assertEquals(Optional.empty(), store.retrieve("ns", "k", NOW));
        assertEquals(new NotFound(), apply(new Delete("ns", "k", NOW)));
        assertEquals(0, store.size());
    }

    @Test
    void recreatingADeletedKeyNeverReusesAnOldVersion() {
        apply(new Store("ns", "k", text("a"), 0, NOW)); // version 1
        apply(new Delete("ns", "k", NOW));
        MemoryResult recreated = apply(new Store("ns", "k", text("b"), 0, NOW));
        assertEquals(new Stored(3), recreated);
        // a client that read version 1 before the delete must not overwrite the new key
        assertEquals(new CasConflict(3), apply(new Cas("ns", "k", 1, text("stale"), 0, NOW)));
        assertEquals(text("b"), store.retrieve("ns", "k", NOW).orElseThrow().value());
    }

    @Test
    void casWithExpectedVersionZeroCreatesOnlyIfAbsent() {
        assertEquals(new CasOk(1), apply(new Cas("ns", "lock", 0, text("owner-a"), 0, NOW)));
        assertEquals(new CasConflict(1), apply(new Cas("ns", "lock", 0, text("owner-b"), 0, NOW)));
        assertEquals(text("owner-a"), store.retrieve("ns", "lock", NOW).orElseThrow().value());
    }

    @Test
    void casSucceedsOnlyOnTheCurrentVersion() {
        apply(new Store("ns", "k", text("v1"), 0, NOW)); // version 1
        assertEquals(new CasOk(2), apply(new Cas("ns", "k", 1, text("v2"), 0, NOW)));
        // the lost-update case: a second writer that also read version 1 is refused and told the current version
        assertEquals(new CasConflict(2), apply(new Cas("ns", "k", 1, text("v2-other"), 0, NOW)));
        assertEquals(new Entry(text("v2"), 2, 0), store.retrieve("ns", "k", NOW).orElseThrow());
    }

    @Test
    void casOnAnAbsentKeyWithAVersionConflictsWithZero() {
        assertEquals(new CasConflict(0), apply(new Cas("ns", "k", 5, text("x"), 0, NOW)));
        assertEquals(0, store.size());
    }

    @Test
    void anEntryIsPresentBeforeItsExpiryAndAbsentFromItOn() {
        apply(new Store("ns", "k", text("a"), NOW + 100, NOW));
        assertTrue(store.retrieve("ns", "k", NOW + 99).isPresent());
        assertEquals(Optional.empty(), store.retrieve("ns", "k", NOW + 100));
        assertEquals(List.of(), store.list("ns", "", NOW + 100));
        assertEquals(List.of(), store.search("k", 10, NOW + 100));
        assertEquals(1, store.list("ns", "", NOW + 99).size());
    }

    @Test
    void writesTreatAnExpiredEntryAsAbsent() {
        apply(new Store("ns", "a", text("x"), NOW + 10, NOW));
        apply(new Store("ns", "b", text("y"), NOW + 10, NOW));
        assertEquals(new NotFound(), apply(new Delete("ns", "a", NOW + 10)));
        assertEquals(new CasOk(4), apply(new Cas("ns", "b", 0, text("z"), 0, NOW + 10)));
        assertEquals(new Entry(text("z"), 4, 0), store.retrieve("ns", "b", NOW + 10).orElseThrow());
    }

    @Test
    void theExpiryHintTellsWhetherAPurgeWouldRemoveSomething() {
        assertFalse(store.mayHoldExpiredAt(Long.MAX_VALUE), "an empty store holds nothing expired");
        apply(new Store("ns", "forever", text("z"), 0, NOW));
        assertFalse(store.mayHoldExpiredAt(Long.MAX_VALUE), "entries without a TTL never expire");
        apply(new Store("ns", "a", text("x"), NOW + 10, NOW));
        apply(new Store("ns", "b", text("y"), NOW + 50, NOW));
        assertFalse(store.mayHoldExpiredAt(NOW + 9));
        assertTrue(store.mayHoldExpiredAt(NOW + 10));
        apply(new Purge(NOW + 10));
        assertFalse(store.mayHoldExpiredAt(NOW + 49), "the purge recomputes the earliest expiry");
        assertTrue(store.mayHoldExpiredAt(NOW + 50));
        MemoryStore restored = new MemoryStore();
        restored.restore(store.snapshot());
        assertTrue(restored.mayHoldExpiredAt(NOW + 50), "a restored store knows its expiries");
        assertFalse(restored.mayHoldExpiredAt(NOW + 49));
    }

    @Test
    void purgeRemovesOnlyExpiredEntries() {
        apply(new Store("ns", "short", text("x"), NOW + 10, NOW));
        apply(new Store("ns", "long", text("y"), NOW + 1_000, NOW));
        apply(new Store("other", "forever", text("z"), 0, NOW));
        assertEquals(3, store.size());
        assertEquals(new Purged(1), apply(new Purge(NOW + 10)));
        assertEquals(2, store.size());
        assertTrue(store.retrieve("ns", "long", NOW + 10).isPresent());
        assertEquals(new Purged(1), apply(new Purge(NOW + 5_000)));
        assertEquals(List.of("other/forever"), keys(store.search("", 10, NOW + 5_000)));
    }

    @Test
    void aTtlBecomesAnExpiryFromTheSameClockReading() {
        assertEquals(0, MemoryCommand.expiryFor(0, NOW));
        assertEquals(NOW + 500, MemoryCommand.expiryFor(500, NOW));
        assertEquals(Long.MAX_VALUE, MemoryCommand.expiryFor(Long.MAX_VALUE, NOW));
        assertEquals("ttlMillis", assertThrows(InvalidFieldException.class, () -> MemoryCommand.expiryFor(-1, NOW)).field());
        apply(new Store("ns", "k", text("x"), MemoryCommand.expiryFor(500, NOW), NOW));
        assertTrue(store.retrieve("ns", "k", NOW + 499).isPresent());
        assertFalse(store.retrieve("ns", "k", NOW + 500).isPresent());
    }

    @Test
    void aValueTooDeeplyNestedToEncodeIsRejected() {
        JsonNode deep = text("bottom");
        for (int i = 0; i < 2_000; i++) {
            deep = JSON.arrayNode().add(deep);
        }
        assertEquals("value", ((Rejected) apply(new Store("ns", "k", deep, 0, NOW))).field());
        assertEquals(0, store.size());
    }

    @Test
    void anExpiryNotAfterNowIsRejectedAndChangesNothing() {
        MemoryResult result = apply(new Store("ns", "k", text("x"), NOW, NOW));
        assertEquals("expiresAtMillis", ((Rejected) result).field());
        assertEquals(0, store.size());
    }

    @Test
    void invalidCommandsAreRejectedNamingTheField() {
        assertEquals("namespace", ((Rejected) apply(new Store("bad ns", "k", text("x"), 0, NOW))).field());
        assertEquals("key", ((Rejected) apply(new Delete("ns", "", NOW))).field());
        assertEquals("expectedVersion", ((Rejected) apply(new Cas("ns", "k", -1, text("x"), 0, NOW))).field());
        assertEquals(0, store.size());
        assertEquals(index, store.lastAppliedIndex(), "a rejected command still consumes its log index");
    }

    @Test
    void aValueOverTheSizeLimitIsRejected() {
        MemoryStore small = new MemoryStore(new MemoryCodec(), 64);
        MemoryResult ok = small.apply(1, new Store("ns", "k", text("x".repeat(40)), 0, NOW));
        MemoryResult tooBig = small.apply(2, new Store("ns", "k2", text("x".repeat(80)), 0, NOW));
        assertEquals(new Stored(1), ok);
        assertEquals("value", ((Rejected) tooBig).field());
        assertEquals(1, small.size());
    }

    @Test
    void theByteInterfaceDecodesAppliesAndEncodes() {
        MemoryCodec codec = new MemoryCodec();
        byte[] result = store.apply(7, codec.encodeCommand(new Store("ns", "k", text("x"), 0, NOW)));
        assertEquals(new Stored(7), codec.decodeResult(result));
        MemoryResult garbage = codec.decodeResult(store.apply(8, new byte[] {1, 2, 3}));
        assertEquals("command", ((Rejected) garbage).field());
        assertEquals(1, store.size());
    }

    @Test
    void indexesMustIncrease() {
        store.apply(5, new Purge(NOW));
        assertThrows(IllegalArgumentException.class, () -> store.apply(5, new Purge(NOW)));
        assertThrows(IllegalArgumentException.class, () -> store.apply(4, new Purge(NOW)));
        assertEquals(5, store.lastAppliedIndex());
    }

    @Test
    void changingAValuePassedInOrGotBackDoesNotChangeTheStore() {
        ObjectNode value = JSON.objectNode().put("n", 1);
        apply(new Store("ns", "k", value, 0, NOW));
        value.put("n", 2);
        ((ObjectNode) store.retrieve("ns", "k", NOW).orElseThrow().value()).put("n", 3);
        ((ObjectNode) store.list("ns", "", NOW).get(0).entry().value()).put("n", 4);
        ((ObjectNode) store.search("k", 10, NOW).get(0).entry().value()).put("n", 5);
        assertEquals(JSON.objectNode().put("n", 1), store.retrieve("ns", "k", NOW).orElseThrow().value());
    }

    @Test
    void listReturnsOneNamespaceByPrefixSortedByKeyUpToTheLimit() {
        for (String key : List.of("task/3", "task/1", "agent/1", "task/2", "tasks")) {
            apply(new Store("ns", key, text(key), 0, NOW));
        }
        apply(new Store("other", "task/0", text("x"), 0, NOW));
        assertEquals(List.of("ns/task/1", "ns/task/2", "ns/task/3"), keys(store.list("ns", "task/", NOW)));
        assertEquals(List.of("ns/task/1", "ns/task/2"), keys(store.list("ns", "task/", 2, NOW)));
        assertEquals(List.of("ns/agent/1", "ns/task/1", "ns/task/2", "ns/task/3", "ns/tasks"), keys(store.list("ns", "", NOW)));
        assertEquals(List.of(), store.list("missing", "", NOW));
    }

    @Test
    void searchMatchesSubstringsOrGlobsInOneOrAllNamespaces() {
        apply(new Store("b", "agent/7/status", text("x"), 0, NOW));
        apply(new Store("a", "agent/12/status", text("x"), 0, NOW));
        apply(new Store("a", "agent/7/load", text("x"), 0, NOW));
        apply(new Store("a", "task/7", text("x"), 0, NOW));
        assertEquals(List.of("a/agent/12/status", "b/agent/7/status"), keys(store.search("status", 10, NOW)));
        assertEquals(List.of("a/agent/12/status"), keys(store.search("a", "status", 10, NOW)));
        assertEquals(List.of("a/agent/7/load", "b/agent/7/status"), keys(store.search("agent/?/*", 10, NOW)));
        assertEquals(List.of("a/agent/7/load", "a/task/7"), keys(store.search("a", "*7*", 10, NOW)));
        assertEquals(List.of("a/task/7"), keys(store.search("*/7", 10, NOW)));
        assertEquals(2, store.search("", 2, NOW).size());
        assertEquals(List.of(), store.search("missing", "", 10, NOW));
    }

    @Test
    void globsMatchTheWholeKey() {
        assertTrue(new KeyPattern("a*c").matches("abbbc"));
        assertTrue(new KeyPattern("a*c").matches("ac"));
        assertFalse(new KeyPattern("a*c").matches("abcd"));
        assertTrue(new KeyPattern("a?c").matches("abc"));
        assertFalse(new KeyPattern("a?c").matches("ac"));
        assertTrue(new KeyPattern("*").matches(""));
        assertTrue(new KeyPattern("*a*b*").matches("xxaxxbxx"));
        assertFalse(new KeyPattern("*a*b").matches("xxbxxa"));
        assertTrue(new KeyPattern("bc").matches("abcd"), "no wildcard: substring");
    }

    @Test
    void snapshotAndRestoreRoundTripTheWholeState() {
        apply(new Store("ns", "a", JSON.objectNode().put("z", 1).put("a", 2), 0, NOW));
        apply(new Store("ns", "b", text("b"), NOW + 50, NOW));
        apply(new Store("other", "c", JSON.arrayNode().add(1.5).add(true).addNull(), 0, NOW));
        apply(new Delete("ns", "a", NOW));
        apply(new Store("ns", "a", JSON.nullNode(), 0, NOW));
        byte[] bytes = store.snapshot();

        MemoryStore copy = new MemoryStore();
        copy.restore(bytes);
        assertEquals(store.snapshotState(), copy.snapshotState());
        assertArrayEquals(bytes, copy.snapshot());
        assertEquals(5, copy.lastAppliedIndex());
        assertEquals(store.retrieve("other", "c", NOW), copy.retrieve("other", "c", NOW));
        assertEquals(store.search("", 100, NOW), copy.search("", 100, NOW));
        // the copy carries on exactly like the original
        assertEquals(store.apply(6, new Cas("ns", "a", 5, text("next"), 0, NOW)), copy.apply(6, new Cas("ns", "a", 5, text("next"), 0, NOW)));
        assertArrayEquals(store.snapshot(), copy.snapshot());
    }

    @Test
    void restoreReplacesTheWholeState() {
        MemoryStore empty = new MemoryStore();
        byte[] emptySnapshot = empty.snapshot();
        apply(new Store("ns", "a", text("x"), 0, NOW));
        store.restore(emptySnapshot);
        assertEquals(0, store.size());
        assertEquals(0, store.lastAppliedIndex());
    }

    @Test
    void twoStoresFedTheSameCommandsHaveIdenticalSnapshotBytes() {
        MemoryStore a = new MemoryStore();
        MemoryStore b = new MemoryStore();
        SplittableRandom random = new SplittableRandom(2026);
        long now = NOW;
        for (long i = 1; i <= 2_000; i++) {
            now += random.nextInt(20);
            MemoryCommand command = randomCommand(random, now);
            assertEquals(a.apply(i, command), b.apply(i, command), "result of command " + i);
        }
        assertTrue(a.size() > 10, "the random workload should leave entries behind, left " + a.size());
        assertArrayEquals(a.snapshot(), b.snapshot());
        // and a third store restored from a's snapshot is indistinguishable too
        MemoryStore c = new MemoryStore();
        c.restore(a.snapshot());
        assertArrayEquals(a.snapshot(), c.snapshot());
    }

    private static MemoryCommand randomCommand(SplittableRandom random, long now) {
        String ns = "ns-" + random.nextInt(3);
        String key = "k" + random.nextInt(40);
        long expiry = random.nextInt(4) == 0 ? now + 1 + random.nextInt(500) : 0;
        ObjectNode value = JSON.objectNode().put("n", random.nextInt(1000)).put("s", "v" + random.nextInt(10));
        return switch (random.nextInt(10)) {
            case 0, 1, 2, 3 -> new Store(ns, key, value, expiry, now);
            case 4, 5 -> new Delete(ns, key, now);
            case 6, 7, 8 -> new Cas(ns, key, random.nextInt(3) == 0 ? 0 : random.nextLong(1, 2_000), value, expiry, now);
            default -> new Purge(now);
        };
    }
}

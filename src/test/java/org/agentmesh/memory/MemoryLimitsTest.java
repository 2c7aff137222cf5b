package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MemoryLimitsTest {

    private static void assertRejects(String field, Executable check) {
        InvalidFieldException e = assertThrows(InvalidFieldException.class, check);
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    @Test
    void namespacesMustBeNonEmptyShortAndOfAllowedCharacters() {
        assertDoesNotThrow(() -> MemoryLimits.requireValidNamespace("swarm-1_a.b:c/d@e"));
        assertDoesNotThrow(() -> MemoryLimits.requireValidNamespace("n".repeat(MemoryLimits.MAX_NAMESPACE_LENGTH)));
        assertRejects("namespace", () -> MemoryLimits.requireValidNamespace(""));
        assertRejects("namespace", () -> MemoryLimits.requireValidNamespace(null));
        assertRejects("namespace", () -> MemoryLimits.requireValidNamespace("n".repeat(MemoryLimits.MAX_NAMESPACE_LENGTH + 1)));
        assertRejects("namespace", () -> MemoryLimits.requireValidNamespace("has space"));
        assertRejects("namespace", () -> MemoryLimits.requireValidNamespace("é"));
        assertRejects("namespace", () -> MemoryLimits.requireValidNamespace("a*"));
    }

    @Test
    void keysMustBeNonEmptyShortAndOfAllowedCharacters() {
        assertDoesNotThrow(() -> MemoryLimits.requireValidKey("k".repeat(MemoryLimits.MAX_KEY_LENGTH)));
        assertRejects("key", () -> MemoryLimits.requireValidKey(""));
        assertRejects("key", () -> MemoryLimits.requireValidKey("k".repeat(MemoryLimits.MAX_KEY_LENGTH + 1)));
        assertRejects("key", () -> MemoryLimits.requireValidKey("a?b"));
        assertRejects("key", () -> MemoryLimits.requireValidKey("tab\there"));
    }

    @Test
    void patternsPrefixesAndLimits() {
        assertDoesNotThrow(() -> MemoryLimits.requireValidPattern("agent/*/stat?s"));
        assertDoesNotThrow(() -> MemoryLimits.requireValidPattern(""));
        assertDoesNotThrow(() -> MemoryLimits.requireValidPrefix(""));
        assertRejects("pattern", () -> MemoryLimits.requireValidPattern("a[b]"));
        assertRejects("prefix", () -> MemoryLimits.requireValidPrefix("a*"));
        assertRejects("limit", () -> MemoryLimits.requireValidLimit(0));
        assertRejects("limit", () -> MemoryLimits.requireValidLimit(MemoryLimits.MAX_RESULT_LIMIT + 1));
    }

    @Test
    void timesVersionsAndSizes() {
        assertDoesNotThrow(() -> MemoryLimits.requireValidExpiry(0, 100));
        assertDoesNotThrow(() -> MemoryLimits.requireValidExpiry(101, 100));
        assertRejects("expiresAtMillis", () -> MemoryLimits.requireValidExpiry(100, 100));
        assertRejects("expiresAtMillis", () -> MemoryLimits.requireValidExpiry(-1, 100));
        assertRejects("nowMillis", () -> MemoryLimits.requireValidNow(-1));
        assertRejects("expectedVersion", () -> MemoryLimits.requireValidExpectedVersion(-1));
        assertDoesNotThrow(() -> MemoryLimits.requireValidValueSize(MemoryLimits.MAX_VALUE_BYTES, MemoryLimits.MAX_VALUE_BYTES));
        assertRejects("value", () -> MemoryLimits.requireValidValueSize(MemoryLimits.MAX_VALUE_BYTES + 1, MemoryLimits.MAX_VALUE_BYTES));
    }

    @Test
    void queriesValidateTheirArgumentsToo() {
        MemoryStore store = new MemoryStore();
        assertRejects("namespace", () -> store.retrieve("", "k", 0));
        assertRejects("key", () -> store.retrieve("ns", "k k", 0));
        assertRejects("prefix", () -> store.list("ns", "p?", 0));
        assertRejects("pattern", () -> store.search("a b", 10, 0));
        assertRejects("limit", () -> store.search("a", 0, 0));
        assertRejects("value", () -> new MemoryCommand.Store("ns", "k", null, 0, 0));
    }
}

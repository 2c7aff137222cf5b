package org.agentmesh.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.agentmesh.linearizability.KeyValueModel.Absent;
import org.agentmesh.linearizability.KeyValueModel.Cas;
import org.agentmesh.linearizability.KeyValueModel.CasConflict;
import org.agentmesh.linearizability.KeyValueModel.CasOk;
import org.agentmesh.linearizability.KeyValueModel.Delete;
import org.agentmesh.linearizability.KeyValueModel.Deleted;
import org.agentmesh.linearizability.KeyValueModel.Found;
import org.agentmesh.linearizability.KeyValueModel.Get;
import org.agentmesh.linearizability.KeyValueModel.KvInput;
import org.agentmesh.linearizability.KeyValueModel.KvOutput;
import org.agentmesh.linearizability.KeyValueModel.NotFound;
import org.agentmesh.linearizability.KeyValueModel.Put;
import org.agentmesh.linearizability.KeyValueModel.Written;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final KeyValueModel KV = new KeyValueModel();

    private static Operation<KvInput, KvOutput> op(int client, KvInput in, KvOutput out, long invoke, long ret) {
        return Operation.completed(client, in, out, invoke, ret);
    }

    private static Operation<KvInput, KvOutput> pending(int client, KvInput in, long invoke) {
        return Operation.pending(client, in, invoke);
    }

    @SafeVarargs
    private static CheckResult check(Operation<KvInput, KvOutput>... ops) {
        return LinearizabilityChecker.check(KV, new History<>(List.of(ops)), TIMEOUT);
    }

    @SafeVarargs
    private static void assertLinearizable(Operation<KvInput, KvOutput>... ops) {
        CheckResult result = check(ops);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.toString());
    }

    @SafeVarargs
    private static CheckResult assertNotLinearizable(Operation<KvInput, KvOutput>... ops) {
        CheckResult result = check(ops);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result.toString());
        return result;
    }

    @Test
    void anEmptyHistoryIsLinearizable() {
        assertLinearizable();
    }

    @Test
    void aStaleReadAfterACompletedWriteIsIllegal() {
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(2, new Get("x"), new Absent(), 20, 30));
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(2, new Get("x"), new Found("a", 1), 20, 30));
    }

    @Test
    void readingAnOverwrittenValueAfterTheOverwriteCompletedIsIllegal() {
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(1, new Put("x", "b"), new Written(2), 20, 30),
                op(2, new Get("x"), new Found("a", 1), 40, 50));
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValue() {
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(2, new Get("x"), new Absent(), 5, 15));
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(2, new Get("x"), new Found("a", 1), 5, 15));
        // touching intervals count as concurrent
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(2, new Get("x"), new Absent(), 10, 15));
    }

    @Test
    void twoReadsMustNotSeeConcurrentWritesInOppositeOrders() {
        // the writes overlap, so either order is fine, but the readers (after both writes) must agree on it
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(2, new Put("x", "b"), new Written(2), 0, 10),
                op(3, new Get("x"), new Found("b", 2), 20, 30),
                op(4, new Get("x"), new Found("a", 1), 40, 50));
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(2, new Put("x", "b"), new Written(2), 0, 10),
                op(3, new Get("x"), new Found("b", 2), 20, 30),
                op(4, new Get("x"), new Found("b", 2), 40, 50));
    }

    @Test
    void aLostUpdateCasPairIsIllegal() {
        // both clients read version 1 and both cas succeed: one of them must have seen version 2
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 5),
                op(1, new Cas("x", 1, "b"), new CasOk(2), 10, 20),
                op(2, new Cas("x", 1, "c"), new CasOk(3), 10, 20));
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 5),
                op(1, new Cas("x", 1, "b"), new CasOk(2), 10, 20),
                op(2, new Cas("x", 1, "c"), new CasConflict(2), 10, 20));
    }

    @Test
    void createIfAbsentCasSucceedsOnlyOnce() {
        assertNotLinearizable(
                op(1, new Cas("lock", 0, "a"), new CasOk(1), 0, 10),
                op(2, new Cas("lock", 0, "b"), new CasOk(2), 0, 10));
        assertLinearizable(
                op(1, new Cas("lock", 0, "a"), new CasOk(1), 0, 10),
                op(2, new Cas("lock", 0, "b"), new CasConflict(1), 0, 10));
        // a conflict reporting absence for a create-only cas is never legal
        assertNotLinearizable(op(1, new Cas("lock", 0, "a"), new CasConflict(0), 0, 10));
    }

    @Test
    void versionsMustIncreaseInRealTimeOrder() {
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(5), 0, 10),
                op(1, new Put("x", "b"), new Written(3), 20, 30));
        // concurrent writes: the versions decide the order, and the read must agree with it
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(5), 0, 10),
                op(2, new Put("x", "b"), new Written(3), 0, 10),
                op(3, new Get("x"), new Found("b", 3), 20, 30));
        // a recreated key may not go back to the version of its deleted predecessor
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(5), 0, 10),
                op(1, new Delete("x"), new Deleted(5), 20, 30),
                op(1, new Put("x", "b"), new Written(5), 40, 50));
    }

    @Test
    void deletesAreSeenByLaterOperations() {
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(1, new Delete("x"), new Deleted(1), 20, 30),
                op(2, new Get("x"), new Absent(), 40, 50),
                op(2, new Delete("x"), new NotFound(), 60, 70));
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(1, new Delete("x"), new Deleted(1), 20, 30),
                op(2, new Get("x"), new Found("a", 1), 40, 50));
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 10),
                op(1, new Delete("x"), new Deleted(2), 20, 30));
    }

    @Test
    void aPendingWriteMayTakeEffectAnyTimeAfterItsInvocation() {
        // never observed: fine (it may never have happened)
        assertLinearizable(
                pending(1, new Put("x", "a"), 0),
                op(2, new Get("x"), new Absent(), 100, 110));
        // observed long after its invocation, with a version nobody returned: fine
        assertLinearizable(
                pending(1, new Put("x", "a"), 0),
                op(2, new Get("x"), new Absent(), 100, 110),
                op(2, new Get("x"), new Found("a", 7), 200, 210));
        // observed before it was invoked: illegal
        assertNotLinearizable(
                op(2, new Get("x"), new Found("a", 7), 0, 10),
                pending(1, new Put("x", "a"), 20));
    }

    @Test
    void aPendingWriteTakesEffectAtMostOnce() {
        assertNotLinearizable(
                pending(1, new Put("x", "a"), 0),
                op(2, new Get("x"), new Found("a", 7), 10, 20),
                op(2, new Get("x"), new Absent(), 30, 40));
        // its unknown version, once seen, is fixed
        assertNotLinearizable(
                pending(1, new Put("x", "a"), 0),
                op(2, new Get("x"), new Found("a", 7), 10, 20),
                op(2, new Get("x"), new Found("a", 8), 30, 40));
    }

    @Test
    void aPendingDeleteOnceObservedStays() {
        assertLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 5),
                pending(1, new Delete("x"), 10),
                op(2, new Get("x"), new Absent(), 20, 30));
        assertNotLinearizable(
                op(1, new Put("x", "a"), new Written(1), 0, 5),
                pending(1, new Delete("x"), 10),
                op(2, new Get("x"), new Absent(), 20, 30),
                op(2, new Get("x"), new Found("a", 1), 40, 50));
    }

    @Test
    void aPendingCasAgainstAnUnknownVersionMayHaveMatchedOrNot() {
        List<Operation<KvInput, KvOutput>> base = List.of(
                pending(1, new Put("x", "a"), 0),
                pending(2, new Cas("x", 4, "b"), 10));
        // matched: the put got version 4, the cas version 9
        List<Operation<KvInput, KvOutput>> matched = new ArrayList<>(base);
        matched.add(op(3, new Get("x"), new Found("b", 9), 20, 30));
        assertEquals(Verdict.LINEARIZABLE, LinearizabilityChecker.check(KV, new History<>(matched), TIMEOUT).verdict());
        // did not match: the put's value stays
        List<Operation<KvInput, KvOutput>> unmatched = new ArrayList<>(base);
        unmatched.add(op(3, new Get("x"), new Found("a", 6), 20, 30));
        assertEquals(Verdict.LINEARIZABLE, LinearizabilityChecker.check(KV, new History<>(unmatched), TIMEOUT).verdict());
        // but a matching cas wrote a version above the one it expected
        List<Operation<KvInput, KvOutput>> tooLow = new ArrayList<>(base);
        tooLow.add(op(3, new Get("x"), new Found("b", 3), 20, 30));
        assertEquals(Verdict.NOT_LINEARIZABLE, LinearizabilityChecker.check(KV, new History<>(tooLow), TIMEOUT).verdict());
    }

    @Test
    void keysAreCheckedIndependentlyAndTheSmallestFailingKeyIsExplained() {
        List<Operation<KvInput, KvOutput>> ops = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ops.add(op(1, new Put("good", "v" + i), new Written(100 + i), 100 * i, 100 * i + 10));
        }
        ops.add(op(1, new Put("bad", "a"), new Written(1), 0, 10));
        ops.add(op(2, new Get("bad"), new Absent(), 20, 30));
        CheckResult result = LinearizabilityChecker.check(KV, new History<>(ops), TIMEOUT);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertTrue(result.explanation().startsWith("partition key=bad: 2 operations"), result.explanation());
        assertTrue(result.explanation().contains("Get[key=bad] -> Absent[]"), result.explanation());
        assertEquals(1, result.partitionsChecked(), "the failing key is the smallest, so it is checked first");
        assertEquals(2, result.partitions());
    }

    @Test
    void anOutputOfTheWrongKindIsIllegal() {
        assertNotLinearizable(op(1, new Put("x", "a"), new Found("a", 1), 0, 10));
        assertNotLinearizable(op(1, new Get("x"), new NotFound(), 0, 10));
    }

    @Test
    void operationsMustReturnAfterTheyAreInvoked() {
        assertThrows(IllegalArgumentException.class, () -> op(1, new Get("x"), new Absent(), 10, 5));
    }

    @Test
    void aHardSearchGivesUpWithUnknownAtTheTimeout() {
        // 40 fully concurrent writes and a read of a value nobody wrote, on a register without versions:
        // the search must try every subset of writes before concluding, far more than 200 ms of work
        List<Operation<String, String>> ops = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ops.add(Operation.completed(i, "w" + i, "ok", 0, 1_000));
        }
        ops.add(Operation.completed(99, "r", "never-written", 0, 1_000));
        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(new RegisterModel(), new History<>(ops), Duration.ofMillis(200));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Verdict.UNKNOWN, result.verdict(), result.toString());
        // the unbounded search would run for hours; a loaded CI machine may still be slow to notice the deadline
        assertTrue(elapsedMillis < 20_000, "gave up after " + elapsedMillis + " ms");
    }

    @Test
    void memoizationKeepsManyConcurrentReadsFromExploding() {
        // 14 concurrent reads have 14! orders but only 2^14 sets of placed reads; the final read then fails,
        // so the search must exhaust them all before it can say so
        List<Operation<KvInput, KvOutput>> ops = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            ops.add(op(i, new Get("x"), new Absent(), 0, 100));
        }
        ops.add(op(1, new Put("x", "a"), new Written(1), 200, 210));
        ops.add(op(2, new Get("x"), new Absent(), 300, 310));
        // generous: with memoization this takes milliseconds, without it the 14! orders never finish
        CheckResult result = LinearizabilityChecker.check(KV, new History<>(ops), Duration.ofSeconds(60));
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict(), result.toString());
    }

    @Test
    void aGenericModelWorksWithoutPartitions() {
        List<Operation<String, String>> ok = List.of(
                Operation.completed(1, "wa", "ok", 0, 10),
                Operation.completed(2, "r", "a", 5, 20),
                Operation.completed(3, "wb", "ok", 15, 30),
                Operation.completed(2, "r", "b", 40, 50));
        assertEquals(Verdict.LINEARIZABLE, LinearizabilityChecker.check(new RegisterModel(), new History<>(ok), TIMEOUT).verdict());
        List<Operation<String, String>> bad = List.of(
                Operation.completed(1, "wa", "ok", 0, 10),
                Operation.completed(3, "wb", "ok", 15, 30),
                Operation.completed(2, "r", "a", 40, 50));
        assertEquals(Verdict.NOT_LINEARIZABLE, LinearizabilityChecker.check(new RegisterModel(), new History<>(bad), TIMEOUT).verdict());
    }

    /** A plain register: input "w<value>" writes, "r" reads; the state is the value ("" initially). */
    private static final class RegisterModel implements Model<String, String, String> {
        @Override
        public String init() {
            return "";
        }

        @Override
        public StepResult<String> step(String state, String input, String output) {
            if (input.startsWith("w")) {
                return StepResult.legal(input.substring(1));
            }
            return state.equals(output) ? StepResult.legal(state) : StepResult.illegal();
        }

        @Override
        public List<String> stepPending(String state, String input) {
            return List.of(input.startsWith("w") ? input.substring(1) : state);
        }
    }
}

package org.agentmesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bench's warm-up rule, with a scripted JIT: at least the minimum, then until two rounds in a row were quiet, at
 * most the maximum. The operations are real (asynchronous no-ops) so that the rounds run as in the bench.
 */
@Timeout(60)
class RaftBenchWarmUpTest {

    private static final double ROUND = 0.2;
    private static final BiFunction<Integer, Long, CompletionStage<?>> NO_OP = (client, seq) ->
            CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));

    /** A JIT that compiles {@code perRound[i]} ms during round i (the last value repeats); counts the rounds. */
    private static final class ScriptedJit implements LongSupplier {
        private final long[] perRound;
        private int calls;
        private long total;

        ScriptedJit(long... perRound) {
            this.perRound = perRound;
        }

        @Override
        public long getAsLong() {
            int call = calls++;
            if (call % 2 == 1) { // read after round call/2
                total += perRound[Math.min(call / 2, perRound.length - 1)];
            }
            return total;
        }

        int rounds() {
            return calls / 2;
        }
    }

    private static RaftBench.WarmUp warmUp(double min, double max, ScriptedJit jit) throws InterruptedException {
        RaftBench.Options o = new RaftBench.Options(List.of(1, 4), List.of(true), List.of("agent-mesh"), 1, 0, min, max, 16);
        return RaftBench.warmUp("test", true, o, NO_OP, new PrintStream(new ByteArrayOutputStream()), ROUND, jit);
    }

    @Test
    void stopsAfterTwoQuietRoundsInARow() throws Exception {
        ScriptedJit jit = new ScriptedJit(1000, 1000, 0); // busy, busy, then quiet for good
        RaftBench.WarmUp w = warmUp(0, 60, jit);
        assertEquals(4, jit.rounds());
        assertTrue(w.quiet());
        assertEquals(0.0, w.lastRoundJitShare());
        assertTrue(w.operations() > 0, "the rounds ran operations: " + w);
    }

    @Test
    void aLoneQuietRoundIsNotEnough() throws Exception {
        ScriptedJit jit = new ScriptedJit(0, 1000, 0); // a lull, busy again, then quiet
        assertTrue(warmUp(0, 60, jit).quiet());
        assertEquals(4, jit.rounds());
    }

    @Test
    void runsAtLeastTheMinimumEvenWhenQuiet() throws Exception {
        ScriptedJit jit = new ScriptedJit(0);
        RaftBench.WarmUp w = warmUp(1.0, 60, jit);
        assertTrue(w.seconds() >= 1.0, "warmed up for " + w.seconds() + " s");
        assertTrue(jit.rounds() >= 5, jit.rounds() + " rounds");
    }

    @Test
    void stopsAtTheMaximumWhileTheJitIsBusy() throws Exception {
        ScriptedJit jit = new ScriptedJit(1000);
        RaftBench.WarmUp w = warmUp(0, 0.7, jit);
        assertFalse(w.quiet());
        assertTrue(w.seconds() >= 0.7 && jit.rounds() <= 4, w.seconds() + " s in " + jit.rounds() + " rounds");
    }

    @Test
    void aMaximumOfZeroMeansNoWarmUp() throws Exception {
        ScriptedJit jit = new ScriptedJit(0);
        RaftBench.WarmUp w = warmUp(0, 0, jit);
        assertEquals(0, jit.rounds());
        assertEquals(0, w.operations());
    }

    @Test
    void withoutCompileTimesItRunsTheMinimum() throws Exception {
        RaftBench.Options o = new RaftBench.Options(List.of(1), List.of(true), List.of("agent-mesh"), 1, 0, 0.5, 60, 16);
        RaftBench.WarmUp w = RaftBench.warmUp("test", true, o, NO_OP, new PrintStream(new ByteArrayOutputStream()), ROUND, null);
        assertTrue(w.seconds() >= 0.5 && w.seconds() < 5, w.seconds() + " s");
        assertFalse(w.quiet());
    }
}

package org.agentmesh.linearizability;

import java.time.Duration;

/**
 * The outcome of {@link LinearizabilityChecker#check}: the verdict, a short human explanation (for
 * {@link Verdict#NOT_LINEARIZABLE}: the smallest failing partition, its longest legal prefix and the operations that
 * could not follow it), how many partitions were checked, and how long it took.
 */
public record CheckResult(Verdict verdict, String explanation, int partitionsChecked, int partitions, Duration elapsed) {

    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    @Override
    public String toString() {
        return verdict + " (" + partitionsChecked + "/" + partitions + " partitions, " + elapsed.toMillis() + " ms)"
                + (explanation.isEmpty() ? "" : ": " + explanation);
    }
}

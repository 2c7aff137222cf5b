package org.agentmesh.failure;

/**
 * Tuning of {@link PartitionDetectorCore}.
 *
 * @param majorityFraction the agent is in the majority iff reachable (itself included) &gt; fraction * known;
 *     0.5 is the strict-majority rule
 * @param enterReadOnlyAfterMillis the minority condition must hold this long, unbroken, before READ_ONLY
 * @param exitReadOnlyAfterMillis the majority condition must hold this long, unbroken, before NORMAL again
 */
public record PartitionDetectorConfig(double majorityFraction, long enterReadOnlyAfterMillis, long exitReadOnlyAfterMillis) {

    public PartitionDetectorConfig {
        if (majorityFraction < 0.5 || majorityFraction >= 1) {
            throw new IllegalArgumentException("majorityFraction must be in [0.5, 1): below a half two sides could both write");
        }
        if (enterReadOnlyAfterMillis < 0 || exitReadOnlyAfterMillis < 0) {
            throw new IllegalArgumentException("debounce delays must be >= 0");
        }
    }

    /** Strict majority; 5 s of minority before READ_ONLY, 5 s of majority before NORMAL. */
    public static PartitionDetectorConfig defaults() {
        return new PartitionDetectorConfig(0.5, 5_000, 5_000);
    }

    /** Agents needed (itself included) out of {@code known} to be in the majority. */
    public int needed(int known) {
        return (int) Math.floor(known * majorityFraction) + 1;
    }
}

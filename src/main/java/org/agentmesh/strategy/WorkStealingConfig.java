package org.agentmesh.strategy;

/**
 * @param enabled whether an idle agent steals at all (off: the deque only drains locally)
 * @param matchThreshold a victim gives a thief only tasks whose requirements the thief matches at least this well
 * @param victimCandidates how many of the busiest peers (by queue length) a thief considers; the first request goes
 *     to one of them at random, after a denial the next is tried
 */
public record WorkStealingConfig(boolean enabled, double matchThreshold, int victimCandidates) {

    public static final WorkStealingConfig DEFAULT = new WorkStealingConfig(true, CapabilityMatch.DEFAULT_THRESHOLD, 3);
    public static final WorkStealingConfig DISABLED = new WorkStealingConfig(false, CapabilityMatch.DEFAULT_THRESHOLD, 3);

    public WorkStealingConfig {
        CapabilityMatch.requireThreshold(matchThreshold);
        if (victimCandidates < 1) {
            throw new IllegalArgumentException("victimCandidates must be >= 1, was " + victimCandidates);
        }
    }
}

package org.agentmesh.strategy;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** The capability match score: |required ∩ offered| / |required|, 1.0 when nothing is required. */
public final class CapabilityMatch {

    /** The seed's default: an agent must offer at least 70% of what a task requires. */
    public static final double DEFAULT_THRESHOLD = 0.7;

    private CapabilityMatch() {}

    public static double score(Collection<String> required, Collection<String> offered) {
        if (required.isEmpty()) {
            return 1.0;
        }
        long matched = required.stream().filter(offered::contains).count();
        return (double) matched / required.size();
    }

    public static double score(TaskRequirements task, AgentLoad agent) {
        return score(task.requiredCapabilities(), agent.capabilities());
    }

    /** Sorted, distinct, immutable; no nulls. */
    static List<String> normalize(Collection<String> capabilities) {
        Objects.requireNonNull(capabilities, "capabilities");
        if (capabilities instanceof List<String> list && isStrictlySorted(list)) {
            return List.copyOf(list); // no copy when it is already an immutable list
        }
        return capabilities.stream().map(c -> Objects.requireNonNull(c, "capability")).distinct().sorted().toList();
    }

    private static boolean isStrictlySorted(List<String> list) {
        String previous = null;
        for (String c : list) {
            if (c == null || (previous != null && previous.compareTo(c) >= 0)) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    static void requireThreshold(double threshold) {
        if (!(threshold > 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("match threshold must be in (0, 1], was " + threshold);
        }
    }
}

package org.agentmesh.linearizability;

import java.util.List;
import java.util.Map;

/**
 * The sequential specification of an object, as the linearizability checker needs it.
 *
 * <p>States must be immutable values with {@code equals}/{@code hashCode} (records), because the checker memoizes
 * (set of operations linearized, state) pairs it has already explored.
 */
public interface Model<S, I, O> {

    S init();

    /** Whether {@code output} is what {@code input} may return in {@code state}, and the state afterwards. */
    StepResult<S> step(S state, I input, O output);

    /**
     * The states an operation whose output is unknown (pending) may lead to if it takes effect in {@code state}; more
     * than one when the effect depends on something unobserved. Never empty: an operation can always take effect.
     */
    List<S> stepPending(S state, I input);

    /**
     * Splits a history into independent sub-histories, each checked on its own (P-compositionality: a history of a
     * map is linearizable iff its restriction to every key is). The default keeps one partition. Keys name the
     * partitions in explanations.
     */
    default Map<String, List<Operation<I, O>>> partition(List<Operation<I, O>> operations) {
        return Map.of("whole history", operations);
    }
}

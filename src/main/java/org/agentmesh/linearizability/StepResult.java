package org.agentmesh.linearizability;

import java.util.Optional;

/** Whether a model accepts an operation's output in a state and, if so, the state after it. */
public record StepResult<S>(Optional<S> next) {

    public static <S> StepResult<S> legal(S next) {
        return new StepResult<>(Optional.of(next));
    }

    public static <S> StepResult<S> illegal() {
        return new StepResult<>(Optional.empty());
    }

    public boolean isLegal() {
        return next.isPresent();
    }
}

package org.agentmesh.linearizability;

import java.util.Objects;
import java.util.Optional;

/**
 * One client operation as observed from outside: what was asked, what came back, and when.
 *
 * <p>An operation that never returned (timeout, crash) is <em>pending</em>: its output is empty and its return time
 * is {@link Long#MAX_VALUE}. The checker assumes it may have taken effect at any moment after its invocation, or
 * never, which is the standard treatment (Knossos, Porcupine).
 *
 * @param clientId     who issued it (for explanations; the checker does not require one operation per client at a time)
 * @param invokeNanos  when the client sent it (read before sending)
 * @param returnNanos  when the client got the answer (read after receiving); {@link Long#MAX_VALUE} if pending
 */
public record Operation<I, O>(int clientId, I input, Optional<O> output, long invokeNanos, long returnNanos) {

    public Operation {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        if (output.isPresent() && returnNanos == Long.MAX_VALUE) {
            throw new IllegalArgumentException("a completed operation needs a return time");
        }
        if (output.isEmpty() && returnNanos != Long.MAX_VALUE) {
            throw new IllegalArgumentException("a pending operation has no return time");
        }
        if (returnNanos < invokeNanos) {
            throw new IllegalArgumentException("returnNanos " + returnNanos + " is before invokeNanos " + invokeNanos);
        }
    }

    public static <I, O> Operation<I, O> completed(int clientId, I input, O output, long invokeNanos, long returnNanos) {
        return new Operation<>(clientId, input, Optional.of(output), invokeNanos, returnNanos);
    }

    public static <I, O> Operation<I, O> pending(int clientId, I input, long invokeNanos) {
        return new Operation<>(clientId, input, Optional.empty(), invokeNanos, Long.MAX_VALUE);
    }

    public boolean isPending() {
        return output.isEmpty();
    }

    /** The same completed operation with another output: for building mutated histories in tests. */
    public Operation<I, O> withOutput(O newOutput) {
        if (isPending()) {
            throw new IllegalStateException("a pending operation has no output to replace: " + this);
        }
        return completed(clientId, input, newOutput, invokeNanos, returnNanos);
    }

    @Override
    public String toString() {
        return "client " + clientId + ": " + input + " -> " + output.map(String::valueOf).orElse("(pending)")
                + " [" + invokeNanos + ", " + (isPending() ? "never" : String.valueOf(returnNanos)) + "]";
    }
}

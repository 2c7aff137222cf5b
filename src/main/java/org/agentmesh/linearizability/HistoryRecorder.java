package org.agentmesh.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Records a history from clients running on many threads. A client calls {@link #invoke} just before sending an
 * operation and {@link #returned} just after the answer arrives; the clock is read outside any lock, at those
 * moments, so recorded intervals contain the real ones (waiting here can only widen an interval, never narrow it).
 *
 * <p>An operation with no definite answer (timeout, lost connection) must be left open: it becomes a pending
 * operation in {@link #history()}, which may or may not have taken effect. Only an operation known not to have taken
 * effect (refused before it was proposed) may be dropped with {@link #failed}.
 */
public final class HistoryRecorder<I, O> {

    private record Open<I>(int clientId, I input, long invokeNanos) {}

    private final LongSupplier clock;
    // one lock, so an operation moving from open to completed is never seen in both or neither by history()
    private final Object lock = new Object();
    private final Map<Long, Open<I>> open = new HashMap<>();
    private final List<Operation<I, O>> completed = new ArrayList<>();
    private long lastId;

    /** Records with {@link System#nanoTime()}. */
    public HistoryRecorder() {
        this(System::nanoTime);
    }

    /** Records with another monotonic clock, e.g. the virtual time of a simulation. */
    public HistoryRecorder(LongSupplier clock) {
        this.clock = clock;
    }

    /** Notes that {@code clientId} is about to send {@code input}; returns the id to report the answer with. */
    public long invoke(int clientId, I input) {
        long now = clock.getAsLong();
        synchronized (lock) {
            long id = ++lastId;
            open.put(id, new Open<>(clientId, input, now));
            return id;
        }
    }

    /** When operation {@code id}, still open, was invoked: the key to note more about it (e.g. which node was asked). */
    public long invokeNanos(long id) {
        synchronized (lock) {
            Open<I> op = open.get(id);
            if (op == null) {
                throw new IllegalStateException("operation " + id + " is not open (never invoked, or already returned)");
            }
            return op.invokeNanos();
        }
    }

    /** Notes the answer of operation {@code id}. */
    public void returned(long id, O output) {
        long now = clock.getAsLong();
        synchronized (lock) {
            Open<I> op = take(id);
            completed.add(Operation.completed(op.clientId(), op.input(), output, op.invokeNanos(), now));
        }
    }

    /** Forgets operation {@code id}: only for operations known to have had no effect. */
    public void failed(long id) {
        synchronized (lock) {
            take(id);
        }
    }

    /** The operations recorded so far, ordered by invocation; those still open are pending. */
    public History<I, O> history() {
        List<Operation<I, O>> all;
        synchronized (lock) {
            all = new ArrayList<>(completed);
            open.values().forEach(o -> all.add(Operation.pending(o.clientId(), o.input(), o.invokeNanos())));
        }
        all.sort(Comparator.comparingLong(Operation::invokeNanos));
        return new History<>(all);
    }

    /** Caller holds {@code lock}. */
    private Open<I> take(long id) {
        Open<I> op = open.remove(id);
        if (op == null) {
            throw new IllegalStateException("operation " + id + " is not open (never invoked, or already returned)");
        }
        return op;
    }
}

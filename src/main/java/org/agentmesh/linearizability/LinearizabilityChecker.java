package org.agentmesh.linearizability;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a concurrent history is linearizable with respect to a {@link Model}: the Wing &amp; Gong search
 * with Lowe's memoization of (linearized operations, state) pairs, as in Porcupine.
 *
 * <p>The history is first split with {@link Model#partition} and each partition checked on its own, smallest first,
 * so the first failure found is the smallest failing partition and is the one explained. Pending operations may be
 * linearized anywhere after their invocation or not at all.
 *
 * <p>Single-threaded and allocation-light: the machine it runs on is shared.
 */
public final class LinearizabilityChecker {

    private static final int DEADLINE_CHECK_INTERVAL = 1024;
    private static final int MAX_LISTED_OPERATIONS = 6;

    private LinearizabilityChecker() {}

    public static <S, I, O> CheckResult check(Model<S, I, O> model, History<I, O> history, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<Map.Entry<String, List<Operation<I, O>>>> partitions = new ArrayList<>(model.partition(history.operations()).entrySet());
        partitions.sort(Comparator.<Map.Entry<String, List<Operation<I, O>>>>comparingInt(e -> e.getValue().size())
                .thenComparing(Map.Entry::getKey));
        int checked = 0;
        for (Map.Entry<String, List<Operation<I, O>>> partition : partitions) {
            Search<S, I, O> search = new Search<>(model, partition.getValue(), deadline);
            Verdict verdict = search.run();
            if (verdict == Verdict.UNKNOWN) {
                return new CheckResult(Verdict.UNKNOWN, "timed out after " + timeout.toMillis() + " ms in partition "
                        + partition.getKey() + " (" + partition.getValue().size() + " operations)",
                        checked, partitions.size(), Duration.ofNanos(System.nanoTime() - start));
            }
            checked++;
            if (verdict == Verdict.NOT_LINEARIZABLE) {
                return new CheckResult(Verdict.NOT_LINEARIZABLE, "partition " + partition.getKey() + ": " + search.explain(),
                        checked, partitions.size(), Duration.ofNanos(System.nanoTime() - start));
            }
        }
        return new CheckResult(Verdict.LINEARIZABLE, "", checked, partitions.size(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** One call or return event in the time-ordered doubly linked list the search lifts operations out of. */
    private static final class Node {
        final int op;
        final boolean call;
        Node match;
        Node prev;
        Node next;

        Node(int op, boolean call) {
            this.op = op;
            this.call = call;
        }
    }

    private record Frame<S>(Node call, S stateBefore, List<S> successors, int chosen) {}

    private record Memo<S>(BitSet linearized, S state) {}

    private static final class Search<S, I, O> {
        private final Model<S, I, O> model;
        private final List<Operation<I, O>> ops;
        private final long deadline;
        private final Node head = new Node(-1, false);
        private final BitSet linearized;
        private final Set<Memo<S>> explored = new HashSet<>();
        private final Deque<Frame<S>> stack = new ArrayDeque<>();
        private S state;
        private int completedLeft;
        private List<Integer> longestPrefix = List.of();

        Search(Model<S, I, O> model, List<Operation<I, O>> ops, long deadline) {
            this.model = model;
            this.ops = ops;
            this.deadline = deadline;
            this.linearized = new BitSet(ops.size());
            this.state = model.init();
            buildList();
        }

        private void buildList() {
            List<Node> events = new ArrayList<>(2 * ops.size());
            for (int i = 0; i < ops.size(); i++) {
                Node call = new Node(i, true);
                Node ret = new Node(i, false);
                call.match = ret;
                ret.match = call;
                events.add(call);
                events.add(ret);
                if (!ops.get(i).isPending()) {
                    completedLeft++;
                }
            }
            // at equal times calls come first: touching intervals count as concurrent (the lenient reading)
            events.sort(Comparator.<Node>comparingLong(n -> n.call ? ops.get(n.op).invokeNanos() : ops.get(n.op).returnNanos())
                    .thenComparing(n -> !n.call)
                    .thenComparingInt(n -> n.op));
            Node last = head;
            for (Node n : events) {
                last.next = n;
                n.prev = last;
                last = n;
            }
        }

        Verdict run() {
            Node entry = head.next;
            long steps = 0;
            while (true) {
                // every completed operation placed: the pending rest may simply never have taken effect
                if (completedLeft == 0) {
                    return Verdict.LINEARIZABLE;
                }
                if (++steps % DEADLINE_CHECK_INTERVAL == 0 && System.nanoTime() - deadline > 0) {
                    return Verdict.UNKNOWN;
                }
                if (entry.call) {
                    Operation<I, O> op = ops.get(entry.op);
                    List<S> successors = op.isPending()
                            ? model.stepPending(state, op.input())
                            : model.step(state, op.input(), op.output().get()).next().map(List::of).orElse(List.of());
                    entry = tryLinearize(entry, successors, 0) ? head.next : entry.next;
                } else {
                    // a return reached before its call was placed: the current prefix cannot be extended; backtrack
                    if (stack.isEmpty()) {
                        return Verdict.NOT_LINEARIZABLE;
                    }
                    Frame<S> frame = stack.pop();
                    int op = frame.call().op;
                    linearized.clear(op);
                    if (!ops.get(op).isPending()) {
                        completedLeft++;
                    }
                    state = frame.stateBefore();
                    unlift(frame.call());
                    entry = tryLinearize(frame.call(), frame.successors(), frame.chosen() + 1) ? head.next : frame.call().next;
                }
            }
        }

        /** Places the call's operation next with the first successor state not explored before; false if none. */
        private boolean tryLinearize(Node call, List<S> successors, int from) {
            for (int i = from; i < successors.size(); i++) {
                S next = successors.get(i);
                BitSet with = (BitSet) linearized.clone();
                with.set(call.op);
                if (explored.add(new Memo<>(with, next))) {
                    stack.push(new Frame<>(call, state, successors, i));
                    linearized.set(call.op);
                    if (!ops.get(call.op).isPending()) {
                        completedLeft--;
                    }
                    state = next;
                    lift(call);
                    notePrefix();
                    return true;
                }
            }
            return false;
        }

        private void notePrefix() {
            if (stack.size() > longestPrefix.size()) {
                List<Integer> prefix = new ArrayList<>(stack.size());
                stack.descendingIterator().forEachRemaining(f -> prefix.add(f.call().op));
                longestPrefix = prefix;
            }
        }

        private static void lift(Node call) {
            call.prev.next = call.next;
            call.next.prev = call.prev;
            Node ret = call.match;
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }

        private static void unlift(Node call) {
            Node ret = call.match;
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
            call.prev.next = call;
            call.next.prev = call;
        }

        /** The longest legal prefix found and the operations that were candidates to come next but fit nowhere. */
        String explain() {
            Set<Integer> placed = new HashSet<>(longestPrefix);
            long firstReturn = Long.MAX_VALUE;
            for (int i = 0; i < ops.size(); i++) {
                if (!placed.contains(i)) {
                    firstReturn = Math.min(firstReturn, ops.get(i).returnNanos());
                }
            }
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                if (!placed.contains(i) && ops.get(i).invokeNanos() <= firstReturn) {
                    candidates.add(i);
                }
            }
            return ops.size() + " operations, no legal order. Longest legal prefix (" + longestPrefix.size() + "): "
                    + list(longestPrefix, true) + "; none of these can come next: " + list(candidates, false);
        }

        /** At most {@link #MAX_LISTED_OPERATIONS}: the last ones of a prefix (nearest the failure), else the first. */
        private String list(List<Integer> indexes, boolean tail) {
            int hidden = Math.max(0, indexes.size() - MAX_LISTED_OPERATIONS);
            List<Integer> shown = tail ? indexes.subList(hidden, indexes.size()) : indexes.subList(0, indexes.size() - hidden);
            String text = shown.stream().map(i -> ops.get(i).toString()).collect(Collectors.joining("; "));
            if (hidden == 0) {
                return "[" + text + "]";
            }
            return tail ? "[... " + hidden + " earlier; " + text + "]" : "[" + text + "; ... " + hidden + " more]";
        }
    }
}

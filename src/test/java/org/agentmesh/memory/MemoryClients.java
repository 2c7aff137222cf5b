package org.agentmesh.memory;

import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.agentmesh.failure.WriteRefused;
import org.agentmesh.linearizability.CheckResult;
import org.agentmesh.linearizability.History;
import org.agentmesh.linearizability.HistoryRecorder;
import org.agentmesh.linearizability.KeyValueModel;
import org.agentmesh.linearizability.KeyValueModel.KvInput;
import org.agentmesh.linearizability.KeyValueModel.KvOutput;
import org.agentmesh.linearizability.LinearizabilityChecker;

/**
 * Concurrent clients storing, retrieving, cas-ing and deleting a few keys of one swarm's mesh memory, each operation
 * recorded for the linearizability checker. Client {@code c}'s {@code n}-th operation goes to node {@code (c + n) % nodes}
 * (the next one if that node is down). An operation without an answer stays pending (it may have been applied),
 * except reads and writes refused before they were sent, which had no effect.
 */
final class MemoryClients {

    static final List<String> KEYS = List.of("a", "b", "c");
    /** Pause between a client's operations, so a history stays small enough for the checker (its search grows with
     *  the operations that overlap a crash); as the Raft path got faster, unpaced clients made 5,700 on one key. */
    static final Duration PACE = Duration.ofMillis(20);
    private static final long ANSWER_TIMEOUT_SECONDS = 10;

    private final String swarmId;
    private final String namespace;
    private final int nodes;
    /** The memory API of node {@code i}, empty while that node is down. */
    private final IntFunction<Optional<MeshMemory>> memoryOf;
    private final HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
    private final Map<Long, Integer> sentTo = new ConcurrentHashMap<>(); // invocation time -> node asked, for the dump
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger completedAfterMark = new AtomicInteger();
    private final AtomicBoolean marked = new AtomicBoolean(false);
    private final List<Thread> threads = new ArrayList<>();

    MemoryClients(String swarmId, String namespace, int nodes, IntFunction<Optional<MeshMemory>> memoryOf) {
        this.swarmId = swarmId;
        this.namespace = namespace;
        this.nodes = nodes;
        this.memoryOf = memoryOf;
    }

    void start(int clients) {
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> run(client), "lin-client-" + c);
            t.start();
            threads.add(t);
        }
    }

    /** From now on completed operations are also counted in {@link #completedAfterMark} (e.g. after a restart). */
    void mark() {
        marked.set(true);
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    int completed() {
        return completed.get();
    }

    int completedAfterMark() {
        return completedAfterMark.get();
    }

    History<KvInput, KvOutput> history() {
        return recorder.history();
    }

    /** Checks the history and prints a line; a failing history is written to a file (see {@link #writeHistory}). */
    CheckResult check(long zeroNanos) throws IOException {
        History<KvInput, KvOutput> history = history();
        long pending = history.operations().stream().filter(o -> o.isPending()).count();
        CheckResult result = LinearizabilityChecker.check(new KeyValueModel(), history, Duration.ofSeconds(120));
        System.out.printf("%d operations (%d completed, %d after the mark, %d pending): %s%n",
                history.size(), completed(), completedAfterMark(), pending, result);
        if (!result.isLinearizable()) {
            System.out.println("history written to " + writeHistory(history, zeroNanos));
        }
        return result;
    }

    private void run(int client) {
        SplittableRandom random = new SplittableRandom(client * 7919L);
        Map<String, Long> lastSeen = new HashMap<>();
        int n = 0;
        while (running.get()) {
            if (n > 0) {
                LockSupport.parkNanos(PACE.toNanos());
            }
            int nodeIndex = (client + n) % nodes;
            Optional<MeshMemory> found = memoryOf.apply(nodeIndex);
            if (found.isEmpty()) {
                nodeIndex = (nodeIndex + 1) % nodes;
                found = memoryOf.apply(nodeIndex);
            }
            if (found.isEmpty()) {
                continue;
            }
            MeshMemory memory = found.get();
            String key = KEYS.get(random.nextInt(KEYS.size()));
            String value = "c" + client + "-" + (n++);
            int dice = random.nextInt(10);
            KvInput input = dice < 3 ? new KeyValueModel.Put(key, value)
                    : dice < 6 ? new KeyValueModel.Get(key)
                    : dice < 8 ? new KeyValueModel.Cas(key, lastSeen.getOrDefault(key, 0L), value)
                    : new KeyValueModel.Delete(key);
            long id = recorder.invoke(client, input);
            sentTo.put(recorder.invokeNanos(id), nodeIndex);
            try {
                KvOutput out = execute(memory, input);
                recorder.returned(id, out);
                completed.incrementAndGet();
                if (marked.get()) {
                    completedAfterMark.incrementAndGet();
                }
                versionOf(out).ifPresent(v -> lastSeen.put(key, v));
            } catch (Exception e) {
                if (input instanceof KeyValueModel.Get || rootCause(e) instanceof WriteRefused) {
                    recorder.failed(id); // a read that got no answer, or a write refused before sending, had no effect
                }
                // any other write without an answer stays pending: it may or may not have been applied
            }
        }
    }

    private KvOutput execute(MeshMemory m, KvInput input) throws Exception {
        long t = ANSWER_TIMEOUT_SECONDS;
        if (input instanceof KeyValueModel.Put p) {
            return new KeyValueModel.Written(m.store(swarmId, namespace, p.key(), TextNode.valueOf(p.value()), Duration.ZERO)
                    .toCompletableFuture().get(t, TimeUnit.SECONDS));
        }
        if (input instanceof KeyValueModel.Get g) {
            Optional<Entry> e = m.retrieve(swarmId, namespace, g.key()).toCompletableFuture().get(t, TimeUnit.SECONDS);
            return e.<KvOutput>map(x -> new KeyValueModel.Found(x.value().asText(), x.version())).orElseGet(KeyValueModel.Absent::new);
        }
        if (input instanceof KeyValueModel.Cas c) {
            MeshMemory.CasOutcome o = m.cas(swarmId, namespace, c.key(), c.expectedVersion(), TextNode.valueOf(c.value()),
                    Duration.ZERO).toCompletableFuture().get(t, TimeUnit.SECONDS);
            return o.succeeded() ? new KeyValueModel.CasOk(o.version()) : new KeyValueModel.CasConflict(o.version());
        }
        KeyValueModel.Delete d = (KeyValueModel.Delete) input;
        Optional<Long> v = m.delete(swarmId, namespace, d.key()).toCompletableFuture().get(t, TimeUnit.SECONDS);
        return v.<KvOutput>map(KeyValueModel.Deleted::new).orElseGet(KeyValueModel.NotFound::new);
    }

    private static Throwable rootCause(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e;
    }

    private static Optional<Long> versionOf(KvOutput out) {
        if (out instanceof KeyValueModel.Written w) {
            return Optional.of(w.version());
        } else if (out instanceof KeyValueModel.Found f) {
            return Optional.of(f.version());
        } else if (out instanceof KeyValueModel.CasOk ok) {
            return Optional.of(ok.newVersion());
        } else if (out instanceof KeyValueModel.CasConflict c) {
            return Optional.of(c.currentVersion());
        } else if (out instanceof KeyValueModel.Deleted || out instanceof KeyValueModel.NotFound || out instanceof KeyValueModel.Absent) {
            return Optional.of(0L);
        }
        return Optional.empty();
    }

    /** Every operation in invocation order, with the node it was sent to and its times in ms after {@code zeroNanos}. */
    private Path writeHistory(History<KvInput, KvOutput> history, long zeroNanos) throws IOException {
        Path dir = Path.of("target", "linearizability");
        Files.createDirectories(dir);
        Path file = dir.resolve("history-" + System.currentTimeMillis() + ".txt");
        StringBuilder out = new StringBuilder("# times in ms after the first crash\n");
        for (var op : history.operations()) {
            out.append(String.format("%9.1f %9s node %s %s%n", (op.invokeNanos() - zeroNanos) / 1e6,
                    op.isPending() ? "-" : String.format("%.1f", (op.returnNanos() - zeroNanos) / 1e6),
                    sentTo.getOrDefault(op.invokeNanos(), -1), op));
        }
        Files.writeString(file, out);
        return file.toAbsolutePath();
    }
}

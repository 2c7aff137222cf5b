package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
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
import org.agentmesh.failure.WriteRefused;
import org.agentmesh.linearizability.CheckResult;
import org.agentmesh.linearizability.History;
import org.agentmesh.linearizability.HistoryRecorder;
import org.agentmesh.linearizability.KeyValueModel;
import org.agentmesh.linearizability.KeyValueModel.KvInput;
import org.agentmesh.linearizability.KeyValueModel.KvOutput;
import org.agentmesh.linearizability.LinearizabilityChecker;
import org.agentmesh.linearizability.Verdict;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/**
 * Concurrent clients store, retrieve, cas and delete a few keys of one swarm's mesh memory through all three nodes of
 * an in-JVM cluster while one node is crashed and restarted; the recorded history (operations without a definite
 * answer left pending) must be linearizable.
 */
class MeshMemoryLinearizabilityTest {

    private static final String SWARM = "lin";
    private static final String NS = "ns";
    private static final List<String> KEYS = List.of("a", "b", "c");
    private static final int CLIENTS = 6;
    private static final Duration PACE = Duration.ofMillis(20);

    @Test
    void historiesAcrossACrashAndRestartAreLinearizable() throws Exception {
        try (MeshTestCluster cluster = MeshTestCluster.start(3)) {
            cluster.node(0).mesh().createSwarm(SwarmRequest.of(SWARM, 3)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            // every node learns the group (and a leader exists) before the clock starts
            for (int i = 0; i < 3; i++) {
                MeshMemory m = cluster.node(i).mesh().memory();
                MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                    try {
                        m.retrieve(SWARM, NS, "warm-up").toCompletableFuture().get(10, TimeUnit.SECONDS);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }

            HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
            Map<Long, Integer> sentTo = new ConcurrentHashMap<>(); // invocation time -> node asked, for the dump
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger completedAfterRestart = new AtomicInteger();
            AtomicBoolean restarted = new AtomicBoolean(false);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                Thread t = new Thread(() -> runClient(cluster, client, recorder, sentTo, running, completed, completedAfterRestart,
                        restarted),
                        "lin-client-" + c);
                t.start();
                clients.add(t);
            }
            Thread.sleep(4000);
            long crashedAt = System.nanoTime();
            cluster.crash(2);
            Thread.sleep(8000);
            long restartedAt = System.nanoTime();
            cluster.restart(2);
            cluster.awaitUp(3, Duration.ofSeconds(30));
            restarted.set(true);
            Thread.sleep(6000);
            running.set(false);
            for (Thread t : clients) {
                t.join(30_000);
            }

            History<KvInput, KvOutput> history = recorder.history();
            long pending = history.operations().stream().filter(o -> o.isPending()).count();
            CheckResult result = LinearizabilityChecker.check(new KeyValueModel(), history, Duration.ofSeconds(120));
            System.out.printf("%d operations (%d completed, %d after the restart, %d pending): %s%n",
                    history.size(), completed.get(), completedAfterRestart.get(), pending, result);
            if (!result.isLinearizable()) {
                System.out.println("history written to " + writeHistory(history, sentTo, crashedAt, restartedAt));
            }
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.explanation());
            assertTrue(completed.get() >= 200, "too few operations completed to mean anything: " + completed.get());
            assertTrue(completedAfterRestart.get() > 0, "no operation completed after the restart");
        }
    }

    private static void runClient(MeshTestCluster cluster, int client, HistoryRecorder<KvInput, KvOutput> recorder,
            Map<Long, Integer> sentTo, AtomicBoolean running, AtomicInteger completed, AtomicInteger completedAfterRestart, AtomicBoolean restarted) {
        SplittableRandom random = new SplittableRandom(client * 7919L);
        Map<String, Long> lastSeen = new HashMap<>();
        int n = 0;
        while (running.get()) {
            if (n > 0) {
                // paced, so a history stays small enough for the checker (its search grows with the operations that
                // overlap the crash); as the Raft path got faster, unpaced clients made 5,700 operations on one key
                java.util.concurrent.locks.LockSupport.parkNanos(PACE.toNanos());
            }
            int nodeIndex = (client + n) % 3;
            if (!cluster.isRunning(nodeIndex)) {
                nodeIndex = (nodeIndex + 1) % 3;
            }
            MeshMemory memory;
            try {
                memory = cluster.node(nodeIndex).mesh().memory();
            } catch (IllegalStateException crashed) {
                continue;
            }
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
                if (restarted.get()) {
                    completedAfterRestart.incrementAndGet();
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

    /** Every operation in invocation order, with the node it was sent to and times relative to the crash. */
    private static java.nio.file.Path writeHistory(History<KvInput, KvOutput> history, Map<Long, Integer> sentTo,
            long crashedAt, long restartedAt) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("target", "linearizability");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Path file = dir.resolve("history-" + System.currentTimeMillis() + ".txt");
        StringBuilder out = new StringBuilder("# crash at 0 ms, restart at " + (restartedAt - crashedAt) / 1_000_000 + " ms\n");
        for (var op : history.operations()) {
            out.append(String.format("%9.1f %9s node %s %s%n", (op.invokeNanos() - crashedAt) / 1e6,
                    op.isPending() ? "-" : String.format("%.1f", (op.returnNanos() - crashedAt) / 1e6),
                    sentTo.getOrDefault(op.invokeNanos(), -1), op));
        }
        java.nio.file.Files.writeString(file, out);
        return file.toAbsolutePath();
    }

    private static KvOutput execute(MeshMemory m, KvInput input) throws Exception {
        long t = 10;
        if (input instanceof KeyValueModel.Put p) {
            return new KeyValueModel.Written(m.store(SWARM, NS, p.key(), TextNode.valueOf(p.value()), Duration.ZERO)
                    .toCompletableFuture().get(t, TimeUnit.SECONDS));
        }
        if (input instanceof KeyValueModel.Get g) {
            Optional<org.agentmesh.memory.Entry> e = m.retrieve(SWARM, NS, g.key()).toCompletableFuture().get(t, TimeUnit.SECONDS);
            return e.<KvOutput>map(x -> new KeyValueModel.Found(x.value().asText(), x.version())).orElseGet(KeyValueModel.Absent::new);
        }
        if (input instanceof KeyValueModel.Cas c) {
            MeshMemory.CasOutcome o = m.cas(SWARM, NS, c.key(), c.expectedVersion(), TextNode.valueOf(c.value()), Duration.ZERO)
                    .toCompletableFuture().get(t, TimeUnit.SECONDS);
            return o.succeeded() ? new KeyValueModel.CasOk(o.version()) : new KeyValueModel.CasConflict(o.version());
        }
        KeyValueModel.Delete d = (KeyValueModel.Delete) input;
        Optional<Long> v = m.delete(SWARM, NS, d.key()).toCompletableFuture().get(t, TimeUnit.SECONDS);
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
}

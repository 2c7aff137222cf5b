package org.agentmesh.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.agentmesh.linearizability.KeyValueModel.Absent;
import org.agentmesh.linearizability.KeyValueModel.Found;
import org.agentmesh.linearizability.KeyValueModel.Get;
import org.agentmesh.linearizability.KeyValueModel.KvInput;
import org.agentmesh.linearizability.KeyValueModel.KvOutput;
import org.agentmesh.linearizability.KeyValueModel.Put;
import org.agentmesh.linearizability.KeyValueModel.Written;
import org.agentmesh.memory.MemoryCommand;
import org.agentmesh.memory.MemoryResult;
import org.agentmesh.memory.MemoryStore;
import org.junit.jupiter.api.Test;

class HistoryRecorderTest {

    @Test
    void recordsCompletedPendingAndDroppedOperations() {
        AtomicLong clock = new AtomicLong();
        HistoryRecorder<String, String> recorder = new HistoryRecorder<>(() -> clock.addAndGet(10));
        long a = recorder.invoke(1, "a"); // t=10
        long b = recorder.invoke(2, "b"); // t=20
        long c = recorder.invoke(3, "c"); // t=30
        recorder.returned(a, "A"); // t=40
        recorder.failed(c);
        History<String, String> history = recorder.history();
        assertEquals(List.of(Operation.completed(1, "a", "A", 10, 40), Operation.pending(2, "b", 20)), history.operations());
        assertThrows(IllegalStateException.class, () -> recorder.returned(a, "again"));
        assertThrows(IllegalStateException.class, () -> recorder.returned(c, "late"));
        recorder.returned(b, "B"); // t=70: the two refused returns above read the clock too (t=50, 60)
        assertEquals(Operation.completed(2, "b", "B", 20, 70), recorder.history().operations().get(1));
    }

    /** Four threads against a store behind a lock (linearizable by construction), recorded with real time. */
    @Test
    void concurrentClientsOnALockedStoreRecordALinearizableHistory() throws InterruptedException {
        MemoryStore store = new MemoryStore();
        long[] index = {0};
        HistoryRecorder<KvInput, KvOutput> recorder = new HistoryRecorder<>();
        int threads = 4;
        int perThread = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int client = t;
            clients.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(client);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    String key = "k" + random.nextInt(3);
                    if (random.nextBoolean()) {
                        String value = client + "-" + i;
                        long id = recorder.invoke(client, new Put(key, value));
                        MemoryResult r;
                        synchronized (store) {
                            r = store.apply(++index[0], new MemoryCommand.Store("ns", key, JsonNodeFactory.instance.textNode(value), 0, 0));
                        }
                        recorder.returned(id, new Written(((MemoryResult.Stored) r).version()));
                    } else {
                        long id = recorder.invoke(client, new Get(key));
                        KvOutput out;
                        synchronized (store) {
                            out = store.retrieve("ns", key, 0).<KvOutput>map(e -> new Found(e.value().asText(), e.version()))
                                    .orElseGet(Absent::new);
                        }
                        recorder.returned(id, out);
                    }
                }
            }));
        }
        clients.forEach(Thread::start);
        start.countDown();
        for (Thread t : clients) {
            t.join();
        }
        History<KvInput, KvOutput> history = recorder.history();
        assertEquals(threads * perThread, history.size());
        assertTrue(history.operations().stream().noneMatch(Operation::isPending));
        CheckResult result = LinearizabilityChecker.check(new KeyValueModel(), history, Duration.ofSeconds(10));
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.toString());
    }
}

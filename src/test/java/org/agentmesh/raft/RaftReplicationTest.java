package org.agentmesh.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.agentmesh.raft.RaftMessage.AppendEntries;
import org.junit.jupiter.api.Test;

/**
 * Replication mechanics, driving three cores by hand (no simulator): pipelining (several AppendEntries in flight
 * without waiting), batching (many entries per AppendEntries, capped by the configuration) and the conflict hint
 * (a diverged follower is repaired in a few round trips, not one per entry).
 */
class RaftReplicationTest {

    private final Map<String, RaftCore> cores = new TreeMap<>();
    private final ArrayDeque<RaftMessage> wire = new ArrayDeque<>();
    private final List<RaftMessage> sent = new ArrayList<>();
    private long now;

    private void build(RaftConfig config, Map<String, DurableState> states) {
        for (Map.Entry<String, DurableState> e : states.entrySet()) {
            cores.put(e.getKey(), new RaftCore(e.getKey(), config, e.getValue(), new SplittableRandom(e.getKey().hashCode()), 0));
        }
    }

    private void collect(RaftCore core) {
        Ready r = core.ready();
        wire.addAll(r.messages());
        sent.addAll(r.messages());
    }

    /** Delivers messages in order until the wire is empty (a perfect network). */
    private void deliverAll() {
        while (!wire.isEmpty()) {
            RaftMessage m = wire.pollFirst();
            RaftCore to = cores.get(m.to());
            to.step(m, now);
            collect(to);
        }
    }

    private void elect(String id) {
        now += 1_000;
        cores.get(id).tick(now); // its timer expired first: pre-vote, vote, leadership
        collect(cores.get(id));
        deliverAll();
        assertEquals(RaftRole.LEADER, cores.get(id).role());
    }

    @Test
    void leaderPipelinesBatchesAndCapsThem() {
        RaftConfig config = RaftConfig.defaults().withBatch(10, 1 << 20);
        Membership m = Membership.ofVoters("a", "b", "c");
        build(config, Map.of("a", DurableState.fresh(m), "b", DurableState.fresh(m), "c", DurableState.fresh(m)));
        elect("a");
        sent.clear();
        RaftCore leader = cores.get("a");
        for (int i = 0; i < 100; i++) {
            leader.step(new LocalInput.Propose(i, new byte[] {(byte) i}), now);
        }
        collect(leader);
        // one Ready: to each follower, back-to-back AppendEntries of 10 entries each, sent before any ack
        List<AppendEntries> toB = sent.stream().filter(x -> x instanceof AppendEntries a && a.to().equals("b"))
                .map(x -> (AppendEntries) x).toList();
        assertEquals(10, toB.size(), "100 entries in batches of 10, all in flight at once");
        assertTrue(toB.stream().allMatch(a -> a.entries().size() == 10));
        for (int i = 1; i < toB.size(); i++) {
            assertEquals(toB.get(i - 1).prevLogIndex() + 10, toB.get(i).prevLogIndex(), "consecutive batches");
        }
        deliverAll();
        assertEquals(leader.lastIndex(), leader.commitIndex());
        assertEquals(leader.commitIndex(), cores.get("b").commitIndex());
        assertEquals(leader.commitIndex(), cores.get("c").commitIndex());
    }

    @Test
    void inflightWindowBoundsUnacknowledgedAppends() {
        RaftConfig config = new RaftConfig(50, 150, 300, 5, 1 << 20, 3, true, true);
        Membership m = Membership.ofVoters("a", "b", "c");
        build(config, Map.of("a", DurableState.fresh(m), "b", DurableState.fresh(m), "c", DurableState.fresh(m)));
        elect("a");
        sent.clear();
        RaftCore leader = cores.get("a");
        for (int i = 0; i < 100; i++) {
            leader.step(new LocalInput.Propose(i, new byte[] {(byte) i}), now);
        }
        collect(leader);
        long toB = sent.stream().filter(x -> x instanceof AppendEntries a && a.to().equals("b")).count();
        assertEquals(3, toB, "at most 3 appends in flight per follower");
        deliverAll();
        assertEquals(leader.lastIndex(), cores.get("b").commitIndex(), "acks reopen the window until done");
    }

    @Test
    void divergedFollowerIsRepairedByConflictHintsInFewRoundTrips() {
        RaftConfig config = RaftConfig.defaults().withBatch(1_000, 1 << 20);
        Membership m = Membership.ofVoters("a", "b", "c");
        // b holds 200 uncommitted entries of an old term 2 that nobody else has; a and c share term-3 history
        List<LogEntry> common = new ArrayList<>();
        for (long i = 1; i <= 50; i++) {
            common.add(LogEntry.command(i, 1, new byte[] {1}));
        }
        List<LogEntry> stale = new ArrayList<>(common);
        for (long i = 51; i <= 250; i++) {
            stale.add(LogEntry.command(i, 2, new byte[] {2}));
        }
        List<LogEntry> good = new ArrayList<>(common);
        for (long i = 51; i <= 60; i++) {
            good.add(LogEntry.command(i, 3, new byte[] {3}));
        }
        build(config, Map.of(
                "a", new DurableState(new HardState(3, "a", 50), Snapshot.bootstrap(m), good),
                "b", new DurableState(new HardState(3, "a", 50), Snapshot.bootstrap(m), stale),
                "c", new DurableState(new HardState(3, "a", 50), Snapshot.bootstrap(m), good)));
        elect("a");
        long rejectsToA = sent.stream().filter(x -> x instanceof RaftMessage.AppendEntriesResponse r
                && !r.success() && r.from().equals("b")).count();
        assertTrue(rejectsToA <= 2, "a whole conflicting term is skipped per round trip, got " + rejectsToA);
        RaftCore b = cores.get("b");
        assertEquals(cores.get("a").lastIndex(), b.lastIndex());
        assertEquals(3, b.termAt(51));
        assertEquals(cores.get("a").commitIndex(), b.commitIndex());
    }
}

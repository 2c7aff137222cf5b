package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.agentmesh.testkit.MeshTestCluster;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/** The Raft member shell on the persistence test kit: recovery, batching, snapshots, voter replacement. */
class RaftMemberTest {

    private static final List<String> THREE = List.of("m1", "m2", "m3");

    private static long version(RaftTestGroup g, String key) {
        return g.memory.retrieve(g.swarmId, "ns", key).toCompletableFuture().join().orElseThrow().version();
    }

    @Test
    void recoveryAfterRestartKeepsTermVoteAndLog() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            g.awaitLeader(THREE);
            Map<String, Long> versions = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                versions.put("k" + i, g.memory.store(g.swarmId, "ns", "k" + i, IntNode.valueOf(i), Duration.ZERO)
                        .toCompletableFuture().join());
            }
            Map<String, RaftMember.RaftStatus> before = new HashMap<>();
            THREE.forEach(id -> before.put(id, g.status(id)));
            THREE.forEach(g::crash);
            THREE.forEach(g::spawn);
            for (String id : THREE) {
                RaftMember.RaftStatus b = before.get(id);
                RaftMember.RaftStatus a = g.status(id);
                assertTrue(a.started(), id + " did not recover as started");
                assertEquals(b.term(), a.term(), id + " term");
                assertEquals(b.votedFor(), a.votedFor(), id + " vote");
                assertEquals(b.lastIndex(), a.lastIndex(), id + " last log index");
            }
            g.awaitLeader(THREE);
            versions.forEach((k, v) -> assertEquals(v, version(g, k), "version of " + k + " after restart"));
        }
    }

    /**
     * A restarted member re-applies its committed log in its first flush; a local (read-only mode) read that waited
     * through recovery must not be answered before that, from an empty store: it is redirected instead.
     */
    @Test
    void aRestartedMemberAnswersNoLocalReadBeforeReapplyingItsLog() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            String leader = g.awaitLeader(THREE);
            g.memory.store(g.swarmId, "ns", "k", IntNode.valueOf(7), Duration.ZERO).toCompletableFuture().join();
            for (int i = 0; i < 10; i++) { // later writes carry the commit of "k" into every member's journal
                g.memory.store(g.swarmId, "ns", "later" + i, IntNode.valueOf(i), Duration.ZERO).toCompletableFuture().join();
            }
            String member = THREE.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            g.crash(member);
            g.spawn(member);
            var probe = g.testKit.<RaftMember.Reply>createTestProbe();
            g.members.get(member).tell(new RaftMember.LocalRead(new RaftMember.GetKey("ns", "k"), probe.getRef()));
            RaftMember.Reply reply = probe.receiveMessage(Duration.ofSeconds(5));
            if (reply instanceof RaftMember.Found found) {
                assertEquals(1, found.items().size(), member + " answered from a store without its committed log: " + found);
            } else {
                assertTrue(reply instanceof RaftMember.Redirect, member + " answered " + reply);
            }
            MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> {
                g.members.get(member).tell(new RaftMember.LocalRead(new RaftMember.GetKey("ns", "k"), probe.getRef()));
                return probe.receiveMessage(Duration.ofSeconds(5)) instanceof RaftMember.Found f && f.items().size() == 1;
            });
        }
    }

    /**
     * A journal failure restarts the member inside Pekko (same behaviour object, recovered from the journal). The failed
     * write's entries may already be on the followers (a leader sends them while its own write is in flight), so a
     * write waiting in it must be answered "unknown", never "not done, ask elsewhere": a retry could apply it twice.
     * A create-if-absent cas shows it: applied twice, its retry reports a conflict with its own first application.
     */
    @Test
    void aWriteWhoseJournalWriteFailedIsNeverRetriedIntoASecondApply() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            String leader = g.awaitLeader(THREE);
            g.memory.store(g.swarmId, "ns", "warm", IntNode.valueOf(0), Duration.ZERO).toCompletableFuture().join();
            PersistenceTestKit journal = PersistenceTestKit.create(g.testKit.system());
            journal.failNextPersisted("RaftMember|" + RaftMember.entityId(g.swarmId, leader));
            CompletableFuture<MeshMemory.CasOutcome> cas = g.memory.cas(g.swarmId, "ns", "once", 0, IntNode.valueOf(1),
                    Duration.ZERO).toCompletableFuture();
            try {
                MeshMemory.CasOutcome outcome = cas.join();
                assertTrue(outcome.succeeded(), "the only write of an absent key conflicted: applied twice? " + outcome);
                System.out.println("cas after a failed journal write: " + outcome);
            } catch (java.util.concurrent.CompletionException unknown) {
                assertTrue(unknown.getCause() instanceof NoMajorityException, "failed with " + unknown.getCause());
                System.out.println("cas after a failed journal write: " + unknown.getCause().getMessage());
            }
            g.awaitLeader(THREE);
            var entry = g.memory.retrieve(g.swarmId, "ns", "once").toCompletableFuture().join();
            entry.ifPresent(e -> assertEquals(1, e.value().asInt()));
            // the member that recovered in place goes on: it applies what the group commits after
            long last = g.memory.store(g.swarmId, "ns", "after", IntNode.valueOf(2), Duration.ZERO).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> g.status(leader).appliedIndex() >= last);
        }
    }

    /**
     * The live state's log is appended to in place; a Pekko snapshot of it is serialized later on the snapshot store's
     * thread, so what the member hands over ({@link RaftMember#snapshotAdapter}) must not follow later appends.
     */
    @Test
    void aSnapshotOfTheStateKeepsItsLogWhileTheLiveLogGrows() {
        List<org.agentmesh.raft.LogEntry> live = new ArrayList<>(List.of(org.agentmesh.raft.LogEntry.command(1, 1, new byte[] {1})));
        RaftMember.State state = new RaftMember.State(1, true, org.agentmesh.raft.HardState.INITIAL,
                org.agentmesh.raft.Snapshot.bootstrap(RaftGroup.initialMembership(THREE, 5)), live);
        RaftMember.State detached = state.detached();
        live.add(org.agentmesh.raft.LogEntry.command(2, 1, new byte[] {2}));
        live.remove(0);
        assertEquals(List.of(1L), detached.entries().stream().map(org.agentmesh.raft.LogEntry::index).toList());
    }

    /** A leader cut off from its majority must neither commit nor serve a read from its own (possibly stale) state. */
    @Test
    void withoutAMajorityRequestsFailWithinTheTimeoutAndNeverAnswerWrongly() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            String leader = g.awaitLeader(THREE);
            long v1 = g.memory.store(g.swarmId, "ns", "k", IntNode.valueOf(1), Duration.ZERO).toCompletableFuture().join();
            THREE.stream().filter(id -> !id.equals(leader)).forEach(g::crash);

            long t0 = System.nanoTime();
            CompletableFuture<Long> write = g.memory.store(g.swarmId, "ns", "k", IntNode.valueOf(2), Duration.ZERO).toCompletableFuture();
            Throwable writeError = assertThrows(java.util.concurrent.CompletionException.class, write::join).getCause();
            assertTrue(writeError instanceof NoMajorityException, "write failed with " + writeError);
            CompletableFuture<?> read = g.memory.retrieve(g.swarmId, "ns", "k").toCompletableFuture();
            Throwable readError = assertThrows(java.util.concurrent.CompletionException.class, read::join).getCause();
            assertTrue(readError instanceof NoMajorityException, "read failed with " + readError);
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(elapsedMs < 2 * (2000 + 1500), "two requests took " + elapsedMs + " ms to fail");

            THREE.stream().filter(id -> !id.equals(leader)).forEach(g::spawn);
            g.awaitLeader(THREE);
            int value = g.memory.retrieve(g.swarmId, "ns", "k").toCompletableFuture().join().orElseThrow().value().asInt();
            // the write's outcome was unknown: either value is right, nothing else is
            assertTrue(value == 1 || value == 2, "read " + value);
            assertTrue(version(g, "k") >= v1);
        }
    }

    /** A follower serves a read after the leader confirmed a read index and the follower applied up to it. */
    @Test
    void followersServeLinearizableReadsThroughTheLeadersReadIndex() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            String leader = g.awaitLeader(THREE);
            long v = g.memory.store(g.swarmId, "ns", "k", IntNode.valueOf(7), Duration.ZERO).toCompletableFuture().join();
            for (String follower : THREE.stream().filter(id -> !id.equals(leader)).toList()) {
                var probe = g.testKit.<RaftMember.Reply>createTestProbe();
                g.members.get(follower).tell(new RaftMember.Read(new RaftMember.GetKey("ns", "k"), probe.getRef()));
                RaftMember.Reply reply = probe.receiveMessage(Duration.ofSeconds(5));
                assertTrue(reply instanceof RaftMember.Found, follower + " answered " + reply);
                RaftMember.Found found = (RaftMember.Found) reply;
                assertTrue(found.readIndex() >= v, "read index " + found.readIndex() + " below the write at " + v);
                assertEquals(7, found.items().get(0).entry().value().asInt());
                assertEquals(v, found.items().get(0).entry().version());
            }
        }
    }

    @Test
    void aWriteBatchIsAnsweredOncePerOpInOrderAndRedirectedWholeByAFollower() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            String leader = g.awaitLeader(THREE);
            var probe = g.testKit.<RaftMember.Reply>createTestProbe();
            List<RaftMember.WriteOp> ops = List.of(
                    new RaftMember.StoreOp("ns", "a", IntNode.valueOf(1), 0),
                    new RaftMember.StoreOp("ns", "bad key with spaces", IntNode.valueOf(2), 0),
                    new RaftMember.CasOp("ns", "a", 99, IntNode.valueOf(3), 0),
                    new RaftMember.StoreOp("ns", "b", IntNode.valueOf(4), 0));
            g.members.get(leader).tell(new RaftMember.WriteBatch(ops, probe.getRef()));
            RaftMember.Reply reply = probe.receiveMessage(Duration.ofSeconds(10));
            assertTrue(reply instanceof RaftMember.WrittenBatch, "reply " + reply);
            List<MemoryResult> results = ((RaftMember.WrittenBatch) reply).replies().stream()
                    .map(r -> ((RaftMember.Written) r).result()).toList();
            assertEquals(4, results.size());
            assertTrue(results.get(0) instanceof MemoryResult.Stored, results.toString());
            assertTrue(results.get(1) instanceof MemoryResult.Rejected r && r.field().equals("key"), results.toString());
            assertTrue(results.get(2) instanceof MemoryResult.CasConflict c && c.currentVersion() == ((MemoryResult.Stored) results.get(0)).version(),
                    "the cas after the store in the same batch sees it: " + results);
            assertTrue(results.get(3) instanceof MemoryResult.Stored, results.toString());
            probe.expectNoMessage(Duration.ofMillis(200)); // one answer for the whole batch

            String follower = THREE.stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
            long versionOfB = version(g, "b");
            g.members.get(follower).tell(new RaftMember.WriteBatch(ops, probe.getRef()));
            RaftMember.Reply redirected = probe.receiveMessage(Duration.ofSeconds(10));
            assertTrue(redirected instanceof RaftMember.Redirect r && r.leaderHint().equals(leader), "reply " + redirected);
            assertEquals(versionOfB, version(g, "b"), "the follower proposed nothing");
        }
    }

    /** Writes of one node's clients issued at once travel in a few batches, yet each gets its own answer. */
    @Test
    void concurrentWritesThroughTheMemoryApiEachGetTheirOwnAnswer() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            String leader = g.awaitLeader(THREE);
            PersistenceTestKit journal = PersistenceTestKit.create(g.testKit.system());
            String pid = "RaftMember|" + RaftMember.entityId(g.swarmId, leader);
            int eventsBefore = journal.persistedInStorage(pid).size();
            List<CompletableFuture<Long>> versions = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                versions.add(g.memory.store(g.swarmId, "ns", "same", IntNode.valueOf(i), Duration.ZERO).toCompletableFuture());
            }
            CompletableFuture<Long> invalid = g.memory.store(g.swarmId, "ns", "", IntNode.valueOf(0), Duration.ZERO)
                    .toCompletableFuture();
            List<Long> got = versions.stream().map(CompletableFuture::join).sorted().toList();
            assertEquals(500, new java.util.HashSet<>(got).size(), "every write its own version");
            assertEquals(got.get(0) + 499, got.get(499), "consecutive versions: nothing applied twice or lost");
            assertThrows(java.util.concurrent.CompletionException.class, invalid::join);
            int leaderWrites = journal.persistedInStorage(pid).size() - eventsBefore;
            System.out.printf("500 concurrent writes through MeshMemory: %d leader journal writes%n", leaderWrites);
            assertTrue(leaderWrites * 5 <= 500, leaderWrites + " journal writes for 500 writes");
        }
    }

    @Test
    void concurrentProposalsShareJournalWrites() {
        // a generous request timeout: 2000 writes at once on a loaded machine may take a while; what counts is writes
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5), 10_000, Duration.ofSeconds(30))) {
            String leader = g.awaitLeader(THREE);
            PersistenceTestKit journal = PersistenceTestKit.create(g.testKit.system());
            String pid = "RaftMember|" + RaftMember.entityId(g.swarmId, leader);
            int eventsBefore = journal.persistedInStorage(pid).size();
            int proposals = 2000;
            // straight to the leader, so that the proposals really are concurrent
            var probe = g.testKit.<RaftMember.Reply>createTestProbe();
            long t0 = System.nanoTime();
            for (int i = 0; i < proposals; i++) {
                g.members.get(leader).tell(new RaftMember.Write(
                        new RaftMember.StoreOp("ns", "k" + (i % 50), IntNode.valueOf(i), 0), probe.getRef()));
            }
            for (int i = 0; i < proposals; i++) {
                RaftMember.Reply reply = probe.receiveMessage(Duration.ofSeconds(30));
                assertTrue(reply instanceof RaftMember.Written w && w.result() instanceof MemoryResult.Stored, "reply " + reply);
            }
            int leaderWrites = journal.persistedInStorage(pid).size() - eventsBefore;
            System.out.printf("%d proposals in %d ms, %d leader journal writes (%.1f proposals per write)%n", proposals,
                    (System.nanoTime() - t0) / 1_000_000, leaderWrites, proposals / (double) leaderWrites);
            assertTrue(leaderWrites > 0);
            assertTrue(leaderWrites * 10 <= proposals, "expected at least 10 proposals per journal write, got "
                    + leaderWrites + " writes for " + proposals + " proposals");
        }
    }

    @Test
    void snapshotsCompactTheLogAndRestartsRecoverFromThem() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5), 50)) {
            g.awaitLeader(THREE);
            Map<String, Long> versions = new HashMap<>();
            for (int i = 0; i < 130; i++) {
                versions.put("k" + i, g.memory.store(g.swarmId, "ns", "k" + i, IntNode.valueOf(i), Duration.ZERO)
                        .toCompletableFuture().join());
            }
            MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> THREE.stream().allMatch(id -> g.status(id).snapshotIndex() >= 100));
            THREE.forEach(g::crash);
            THREE.forEach(g::spawn);
            THREE.forEach(id -> assertTrue(g.status(id).snapshotIndex() >= 100, id + " lost its snapshot"));
            g.awaitLeader(THREE);
            versions.forEach((k, v) -> assertEquals(v, version(g, k), "version of " + k + " after restart from a snapshot"));
        }
    }

    @Test
    void theJournalStaysBoundedAndRestartsRecoverFromWhatIsLeft() {
        int every = 20;
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5), 10_000, Duration.ofSeconds(2),
                s -> s.withJournalSnapshotEvery(every))) {
            g.awaitLeader(THREE);
            Map<String, Long> versions = new HashMap<>();
            for (int i = 0; i < 150; i++) { // one at a time: at least one journal write per member each
                versions.put("k" + i, g.memory.store(g.swarmId, "ns", "k" + i, IntNode.valueOf(i), Duration.ZERO)
                        .toCompletableFuture().join());
            }
            PersistenceTestKit journal = PersistenceTestKit.create(g.testKit.system());
            for (String id : THREE) {
                String pid = "RaftMember|" + RaftMember.entityId(g.swarmId, id);
                // deletes follow the snapshot asynchronously
                MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> journal.persistedInStorage(pid).size() < 2 * every);
            }
            THREE.forEach(g::crash);
            THREE.forEach(g::spawn);
            g.awaitLeader(THREE);
            versions.forEach((k, v) -> assertEquals(v, version(g, k), "version of " + k + " after restart from a trimmed journal"));
            long next = g.memory.store(g.swarmId, "ns", "k149", IntNode.valueOf(0), Duration.ZERO).toCompletableFuture().join();
            assertTrue(next > versions.get("k149"), "the log goes on after the restart: version " + next); // versions are log indexes
        }
    }

    @Test
    void leaderReplacesALostVoterWithACaughtUpLearner() {
        List<String> four = List.of("m1", "m2", "m3", "m4");
        try (RaftTestGroup g = new RaftTestGroup(four, 3, Duration.ofSeconds(1))) {
            assertEquals(List.of("m4"), g.membership.learners());
            String leader = g.awaitLeader(four);
            g.memory.store(g.swarmId, "ns", "before", IntNode.valueOf(1), Duration.ZERO).toCompletableFuture().join();
            String victim = THREE.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            g.crash(victim);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
                List<String> voters = g.status(leader).members().stream()
                        .filter(RaftMember.MemberProgress::voter).map(RaftMember.MemberProgress::id).toList();
                return voters.size() == 3 && voters.contains("m4") && !voters.contains(victim);
            });
            RaftMember.RaftStatus s = g.status(leader);
            assertFalse(s.members().stream().anyMatch(m -> m.id().equals(victim)), "the lost voter is no longer a member");
            g.memory.store(g.swarmId, "ns", "after", IntNode.valueOf(2), Duration.ZERO).toCompletableFuture().join();
            assertEquals(2, g.memory.retrieve(g.swarmId, "ns", "after").toCompletableFuture().join().orElseThrow().value().asInt());
        }
    }

    @Test
    void aConfirmedFailureReplacesTheVoterWithoutWaitingForSilence() {
        List<String> four = List.of("m1", "m2", "m3", "m4");
        // silence alone would take 10 minutes: only the failure verdict can repair the group within the test
        try (RaftTestGroup g = new RaftTestGroup(four, 3, Duration.ofMinutes(10))) {
            String leader = g.awaitLeader(four);
            g.memory.store(g.swarmId, "ns", "before", IntNode.valueOf(1), Duration.ZERO).toCompletableFuture().join();
            String victim = THREE.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            g.crash(victim);
            g.memory.peerFailed(g.swarmId, victim);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                List<String> voters = g.status(leader).members().stream()
                        .filter(RaftMember.MemberProgress::voter).map(RaftMember.MemberProgress::id).toList();
                return voters.size() == 3 && voters.contains("m4") && !voters.contains(victim);
            });
            assertFalse(g.status(leader).members().stream().anyMatch(m -> m.id().equals(victim)), "the failed voter was removed");
            g.memory.store(g.swarmId, "ns", "after", IntNode.valueOf(2), Duration.ZERO).toCompletableFuture().join();
            assertEquals(2, g.memory.retrieve(g.swarmId, "ns", "after").toCompletableFuture().join().orElseThrow().value().asInt());
        }
    }

    @Test
    void aFalseFailureVerdictRemovesNobody() {
        List<String> four = List.of("m1", "m2", "m3", "m4");
        try (RaftTestGroup g = new RaftTestGroup(four, 3, Duration.ofMinutes(10))) {
            String leader = g.awaitLeader(four);
            String accused = THREE.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
            g.memory.peerFailed(g.swarmId, accused); // it is alive and keeps answering the leader
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // several maintenance rounds
            while (System.nanoTime() < until) {
                g.memory.store(g.swarmId, "ns", "k", IntNode.valueOf(1), Duration.ZERO).toCompletableFuture().join();
                List<String> voters = g.status(leader).members().stream()
                        .filter(RaftMember.MemberProgress::voter).map(RaftMember.MemberProgress::id).toList();
                assertEquals(THREE, voters.stream().sorted().toList(), "a live voter was removed on a false verdict");
            }
        }
    }

    @Test
    void theLeaderPurgesExpiredEntriesOnEveryReplica() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5), 10_000, Duration.ofSeconds(5),
                s -> s.withPurgeInterval(Duration.ofMillis(200)))) {
            g.awaitLeader(THREE);
            g.memory.store(g.swarmId, "ns", "short", IntNode.valueOf(1), Duration.ofMillis(300)).toCompletableFuture().join();
            g.memory.store(g.swarmId, "ns", "kept", IntNode.valueOf(2), Duration.ZERO).toCompletableFuture().join();
            // removed from every replica's state, not only hidden from reads, without any further write of its key
            MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> THREE.stream().allMatch(id -> g.status(id).storedEntries() == 1));
            assertTrue(g.memory.retrieve(g.swarmId, "ns", "short").toCompletableFuture().join().isEmpty());
            assertEquals(2, g.memory.retrieve(g.swarmId, "ns", "kept").toCompletableFuture().join().orElseThrow().value().asInt());
        }
    }

    @Test
    void withoutPurgesExpiredEntriesAreOnlyHidden() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5), 10_000, Duration.ofSeconds(5),
                s -> s.withPurgeInterval(Duration.ZERO))) {
            String leader = g.awaitLeader(THREE);
            g.memory.store(g.swarmId, "ns", "short", IntNode.valueOf(1), Duration.ofMillis(1)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(10),
                    () -> g.memory.retrieve(g.swarmId, "ns", "short").toCompletableFuture().join().isEmpty());
            // a later write is applied after the expiry: the expired entry is still held, as nothing purged it
            g.memory.store(g.swarmId, "ns", "other", IntNode.valueOf(2), Duration.ZERO).toCompletableFuture().join();
            assertEquals(2, g.status(leader).storedEntries());
        }
    }
}

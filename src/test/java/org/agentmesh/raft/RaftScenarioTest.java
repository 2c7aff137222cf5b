package org.agentmesh.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.agentmesh.raft.RaftMessage.AppendEntries;
import org.agentmesh.sim.NetworkConditions;
import org.junit.jupiter.api.Test;

/** Focused, scripted scenarios on the simulator; the safety checks of {@link RaftSimCluster} run after every event. */
class RaftScenarioTest {

    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            ids.add("n" + i);
        }
        return ids;
    }

    private static RaftSimCluster cluster(int n, RaftConfig config) {
        return new RaftSimCluster(42, config, NetworkConditions.reliable(), ids(n));
    }

    private static String followerOf(RaftSimCluster c, String leader, List<String> group) {
        return group.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------ pre-vote

    private record Disruption(long termBefore, long isolatedTermAfterPartition, long termAfterRejoin,
            boolean leaderKept) {}

    private static Disruption isolateAndRejoin(RaftConfig config) {
        RaftSimCluster c = cluster(3, config);
        List<String> all = ids(3);
        String leader = c.awaitLeader(all);
        c.commitOn(leader, all, "before");
        long term = c.node(leader).core.term();
        String isolated = followerOf(c, leader, all);
        List<String> rest = all.stream().filter(id -> !id.equals(isolated)).toList();
        c.net.partition(rest, List.of(isolated));
        c.sim.runFor(3_000); // ten election timeouts and more
        long isolatedTerm = c.node(isolated).core.term();
        c.net.heal();
        c.sim.runFor(2_000);
        String after = c.awaitLeader(all);
        c.commitOn(after, all, "after");
        return new Disruption(term, isolatedTerm, c.node(after).core.term(), after.equals(leader));
    }

    @Test
    void preVoteKeepsARejoiningPartitionedNodeFromDisruptingTheCluster() {
        Disruption withPreVote = isolateAndRejoin(RaftConfig.defaults());
        assertEquals(withPreVote.termBefore(), withPreVote.isolatedTermAfterPartition(),
                "an isolated node must not raise its term while pre-votes fail");
        assertEquals(withPreVote.termBefore(), withPreVote.termAfterRejoin(), "rejoining must not change the term");
        assertTrue(withPreVote.leaderKept(), "the leader must stay leader");

        // the same scenario without pre-vote does disrupt the cluster: the test above can tell the difference
        Disruption without = isolateAndRejoin(RaftConfig.defaults().withPreVote(false));
        assertTrue(without.isolatedTermAfterPartition() > without.termBefore(), "without pre-vote terms inflate");
        assertTrue(without.termAfterRejoin() > without.termBefore(), "without pre-vote the rejoin forces a new term");
    }

    // ------------------------------------------------------------------ Figure 8

    /**
     * Raft paper, Figure 8: a leader must not commit an entry of an earlier term by counting replicas. Entry X (term t1)
     * reaches a majority only under a later leader L3 whose own entries are held back; a node W that holds a newer-term
     * entry at X's index can then still be elected and overwrite X. The core must therefore never commit (nor apply)
     * X; if it did, the leader-completeness and state-machine-safety checks fail the test when W takes over.
     */
    @Test
    void figure8OldTermEntryIsNotCommittedByCountingReplicas() {
        RaftSimCluster c = cluster(5, RaftConfig.defaults().withBatch(1, 1 << 16));
        List<String> all = ids(5);
        // a: n1 leads and commits a base entry everywhere
        String first = c.awaitLeader(all);
        if (!first.equals("n1")) {
            c.commitOn(first, all, "settle");
            c.transferLeadership(first, "n1");
            assertTrue(c.runUntil(() -> c.agreedLeader(all).filter("n1"::equals).isPresent(), 2_000));
        }
        c.commitOn("n1", all, "base");
        // b: X reaches n2 only
        Set<String> s345 = Set.of("n3", "n4", "n5");
        c.dropIf = m -> m instanceof AppendEntries a && a.from().equals("n1") && s345.contains(a.to())
                && !a.entries().isEmpty();
        RequestOutcome.Accepted x = (RequestOutcome.Accepted) c.propose("n1", "X").orElseThrow();
        assertTrue(c.runUntil(() -> c.node("n2").core.termAt(x.index()) == x.term(), 1_000));
        // c: n1 dies, n2 is cut off; W among n3..n5 wins a new term but its entries go nowhere
        c.crash("n1");
        c.net.partition(List.of("n2"), List.of("n3", "n4", "n5"));
        c.dropIf = m -> m instanceof AppendEntries a && s345.contains(a.from()) && !a.entries().isEmpty();
        String w = c.awaitLeader(List.of("n3", "n4", "n5"));
        long t2 = c.node(w).core.term();
        assertTrue(c.runUntil(() -> c.node(w).core.termAt(x.index()) == t2, 1_000), "W has its no-op at X's index");
        c.crash(w);
        List<String> others = s345.stream().filter(id -> !id.equals(w)).sorted().toList();
        String a = others.get(0);
        String b = others.get(1);
        // d: n1 comes back; n1 or n2 leads term t3 and copies X to a, but its own entries are held back
        c.restart("n1");
        c.net.partition(List.of("n1", "n2", a), List.of(b));
        c.dropIf = m -> false;
        c.rewrite = m -> m instanceof AppendEntries ae && (ae.from().equals("n1") || ae.from().equals("n2"))
                ? new AppendEntries(ae.from(), ae.to(), ae.term(), ae.prevLogIndex(), ae.prevLogTerm(),
                        ae.entries().stream().takeWhile(e -> e.term() <= x.term()).toList(), ae.leaderCommit())
                : m;
        String l3 = c.awaitLeader(List.of("n1", "n2", a));
        assertTrue(Set.of("n1", "n2").contains(l3));
        assertTrue(c.runUntil(() -> c.node(a).core.termAt(x.index()) == x.term(), 2_000), "X reaches a majority");
        c.sim.runFor(500);
        assertTrue(c.node(l3).core.commitIndex() < x.index(),
                "X is on a majority but of an old term: it must not be committed");
        assertEquals(null, c.committedEntry(x.index()));
        // e: W returns with a and b, wins (its last term t2 beats X's t1) and overwrites X
        c.crash("n1");
        c.crash("n2");
        c.rewrite = m -> m;
        c.net.partition(List.of(w, a, b));
        c.restart(w);
        assertEquals(w, c.awaitLeader(List.of(w, a, b)));
        c.commitOn(w, List.of(w, a, b), "after");
        assertEquals(t2, c.committedEntry(x.index()).term(), "W's entry, not X, is committed at X's index");
    }

    // ------------------------------------------------------------------ leadership transfer

    @Test
    void leadershipTransferToALaggingFollowerWaitsForItToCatchUp() {
        RaftSimCluster c = cluster(3, RaftConfig.defaults());
        List<String> all = ids(3);
        String leader = c.awaitLeader(all);
        long term = c.node(leader).core.term();
        String target = followerOf(c, leader, all);
        List<String> rest = all.stream().filter(id -> !id.equals(target)).toList();
        c.crash(target);
        for (int i = 0; i < 20; i++) {
            c.propose(leader, "e" + i);
        }
        c.commitOn(leader, rest, "last");
        c.restart(target);
        Optional<RequestOutcome> started = c.transferLeadership(leader, target);
        assertTrue(started.isEmpty(), "the target lags: no TimeoutNow yet, got " + started);
        RequestOutcome during = c.propose(leader, "during").orElseThrow();
        assertInstanceOf(RequestOutcome.Rejected.class, during, "proposals are refused during a transfer");
        assertTrue(c.runUntil(() -> c.agreedLeader(all).filter(target::equals).isPresent(), 2_000),
                "target must take over\n" + c.describe());
        assertTrue(c.node(leader).outcomes.stream().anyMatch(o -> o instanceof RequestOutcome.TransferStarted t
                && t.target().equals(target)));
        assertTrue(c.node(target).core.term() > term);
        c.commitOn(target, all, "after");
    }

    @Test
    void proposalsToAFollowerAreRejectedWithTheLeaderAsHint() {
        RaftSimCluster c = cluster(3, RaftConfig.defaults());
        String leader = c.awaitLeader(ids(3));
        String follower = followerOf(c, leader, ids(3));
        RequestOutcome o = c.propose(follower, "x").orElseThrow();
        RequestOutcome.Rejected r = assertInstanceOf(RequestOutcome.Rejected.class, o);
        assertEquals(leader, r.leaderHint());
    }

    // ------------------------------------------------------------------ membership

    @Test
    void addAndRemoveVotersOneAtATime() {
        RaftSimCluster c = cluster(3, RaftConfig.defaults());
        List<String> three = ids(3);
        String leader = c.awaitLeader(three);
        c.commitOn(leader, three, "x");
        c.addNode("n4");
        RequestOutcome.Accepted add = assertInstanceOf(RequestOutcome.Accepted.class,
                c.changeMembership(leader, MembershipChange.addVoter("n4")).orElseThrow());
        assertTrue(c.node(leader).core.membership().hasVoter("n4"), "a configuration takes effect when appended");
        assertTrue(c.node(leader).core.commitIndex() < add.index());
        assertInstanceOf(RequestOutcome.Rejected.class,
                c.changeMembership(leader, MembershipChange.remove("n3")).orElseThrow(),
                "one change at a time");
        List<String> four = ids(4);
        c.commitOn(leader, four, "y");
        assertTrue(c.node("n4").core.membership().hasVoter("n4"));
        assertEquals(3, c.node(leader).core.membership().quorum());

        // remove a follower; the other three carry on without it
        String gone = followerOf(c, leader, three);
        assertInstanceOf(RequestOutcome.Accepted.class,
                c.changeMembership(leader, MembershipChange.remove(gone)).orElseThrow());
        List<String> remaining = four.stream().filter(id -> !id.equals(gone)).toList();
        c.commitOn(leader, remaining, "z");
        c.crash(gone);
        String other = followerOf(c, leader, remaining);
        c.crash(other); // 2 of the 3 remaining voters are enough now
        List<String> two = remaining.stream().filter(id -> !id.equals(other)).toList();
        c.commitOn(leader, two, "with two of three");
        c.restart(other);

        // remove the leader itself: it steps down once the change commits, the others elect a new leader
        long electionsBefore = c.node(leader).core.electionsStarted();
        assertInstanceOf(RequestOutcome.Accepted.class,
                c.changeMembership(leader, MembershipChange.remove(leader)).orElseThrow());
        List<String> survivors = remaining.stream().filter(id -> !id.equals(leader)).toList();
        assertTrue(c.runUntil(() -> c.node(leader).core.role() != RaftRole.LEADER, 3_000));
        String next = c.awaitLeader(survivors);
        assertNotEquals(leader, next);
        c.commitOn(next, survivors, "after the leader left");
        c.sim.runFor(2_000);
        assertEquals(electionsBefore, c.node(leader).core.electionsStarted(), "a removed node does not campaign");
    }

    @Test
    void learnerCatchesUpWithoutVotingThenIsPromoted() {
        RaftSimCluster c = cluster(3, RaftConfig.defaults());
        List<String> three = ids(3);
        String leader = c.awaitLeader(three);
        c.commitOn(leader, three, "first");
        c.addNode("n4");
        c.net.partition(three, List.of("n4"));
        RequestOutcome.Accepted learner = assertInstanceOf(RequestOutcome.Accepted.class,
                c.changeMembership(leader, MembershipChange.addLearner("n4")).orElseThrow());
        c.commitOn(leader, three, "a");
        for (int i = 0; i < 30; i++) {
            c.propose(leader, "e" + i);
        }
        c.commitOn(leader, three, "b");
        RequestOutcome early = c.changeMembership(leader, MembershipChange.promoteLearner("n4")).orElseThrow();
        assertInstanceOf(RequestOutcome.Rejected.class, early, "a lagging learner is not promoted");
        c.net.heal();
        long target = c.node(leader).core.commitIndex();
        assertTrue(c.runUntil(() -> c.node("n4").applied >= target, 3_000), "the learner catches up");
        assertTrue(c.node("n4").core.membership().hasLearner("n4"));
        assertTrue(learner.index() <= target);

        // the learner does not count for commit: leader + learner alone commit nothing
        List<String> followers = three.stream().filter(id -> !id.equals(leader)).toList();
        followers.forEach(c::crash);
        RequestOutcome.Accepted lonely = assertInstanceOf(RequestOutcome.Accepted.class,
                c.propose(leader, "lonely").orElseThrow());
        assertTrue(c.runUntil(() -> c.node("n4").core.lastIndex() >= lonely.index(), 1_000), "learner has it");
        c.sim.runFor(1_000);
        assertTrue(c.maxCommitted() < lonely.index(), "a learner's copy must not commit an entry");
        assertEquals(0, c.node("n4").core.electionsStarted(), "a learner never campaigns");
        followers.forEach(c::restart);
        String l2 = c.awaitLeader(three);
        c.commitOn(l2, three, "new term");

        assertInstanceOf(RequestOutcome.Accepted.class,
                c.changeMembership(l2, MembershipChange.promoteLearner("n4")).orElseThrow());
        List<String> four = ids(4);
        c.commitOn(l2, four, "promoted");
        assertTrue(c.node("n4").core.membership().hasVoter("n4"));
        // now n4 counts: with one old voter down, the other three (n4 among them) still commit
        String down = followerOf(c, l2, three);
        c.crash(down);
        List<String> live = four.stream().filter(id -> !id.equals(down)).toList();
        c.commitOn(l2, live, "n4 counts");
    }

    // ------------------------------------------------------------------ snapshots

    @Test
    void laggingFollowerIsBroughtUpByInstallSnapshot() {
        RaftSimCluster c = cluster(3, RaftConfig.defaults());
        c.snapshotEvery = 10;
        List<String> all = ids(3);
        String leader = c.awaitLeader(all);
        String lagging = followerOf(c, leader, all);
        List<String> rest = all.stream().filter(id -> !id.equals(lagging)).toList();
        c.crash(lagging);
        for (int i = 0; i < 60; i++) {
            c.propose(leader, "e" + i);
        }
        long last = c.commitOn(leader, rest, "last");
        assertTrue(c.node(leader).core.snapshotIndex() > c.node(lagging).storage.lastIndex(),
                "the leader compacted away what the follower needs");
        long installedBefore = c.snapshotsInstalled;
        c.restart(lagging);
        assertTrue(c.runUntil(() -> c.node(lagging).applied >= last, 3_000), c.describe());
        assertTrue(c.snapshotsInstalled > installedBefore, "the follower installed a snapshot");
        assertTrue(c.node(lagging).storage.snapshot().index() > 0);
        c.commitOn(leader, all, "after");
        assertEquals(c.node(leader).sm.digest(), c.node(lagging).sm.digest());
    }

    // ------------------------------------------------------------------ reads

    @Test
    void readIndexIsConfirmedByAMajorityAndADeposedLeaderCannotServeReads() {
        RaftSimCluster c = cluster(5, RaftConfig.defaults());
        List<String> all = ids(5);
        String leader = c.awaitLeader(all);
        long w1 = c.commitOn(leader, all, "w1");
        // a read at the leader and one through a follower
        long r1 = c.read(leader);
        String follower = followerOf(c, leader, all);
        long r2 = c.read(follower);
        assertTrue(c.runUntil(() -> c.outcome(leader, r1).isPresent() && c.outcome(follower, r2).isPresent(), 500));
        assertTrue(((RequestOutcome.ReadReady) c.outcome(leader, r1).orElseThrow()).readIndex() >= w1);
        assertTrue(((RequestOutcome.ReadReady) c.outcome(follower, r2).orElseThrow()).readIndex() >= w1);

        // the leader lands in a minority: its read is never confirmed, while the majority moves on
        List<String> minority = new ArrayList<>(List.of(leader, follower));
        List<String> majority = all.stream().filter(id -> !minority.contains(id)).toList();
        c.net.partition(minority, majority);
        long stale = c.read(leader);
        String newLeader = c.awaitLeader(majority);
        long w2 = c.commitOn(newLeader, majority, "w2");
        c.sim.runFor(1_000);
        Optional<RequestOutcome> o = c.outcome(leader, stale);
        assertFalse(o.isPresent() && o.get() instanceof RequestOutcome.ReadReady, "stale read served: " + o);
        assertTrue(o.isPresent(), "the read fails when the leader steps down");
        assertNotEquals(RaftRole.LEADER, c.node(leader).core.role(), "check quorum deposes the isolated leader");
        long fresh = c.read(newLeader);
        assertTrue(c.runUntil(() -> c.outcome(newLeader, fresh).isPresent(), 500));
        assertTrue(((RequestOutcome.ReadReady) c.outcome(newLeader, fresh).orElseThrow()).readIndex() >= w2);
    }

    // ------------------------------------------------------------------ the Ready contract on one node

    @Test
    void singleNodeCommitsInTheSameReadyThatPersistsTheEntry() {
        RaftCore core = new RaftCore("solo", RaftConfig.defaults(), DurableState.fresh(Membership.ofVoters("solo")),
                new java.util.SplittableRandom(1), 0);
        core.ready();
        core.tick(1_000);
        assertEquals(RaftRole.LEADER, core.role());
        Ready r0 = core.ready();
        assertEquals(1, r0.entries().size(), "the leader's no-op");
        core.step(new LocalInput.Propose(1, new byte[] {1}), 1_001);
        core.step(new LocalInput.Propose(2, new byte[] {2}), 1_001);
        Ready r = core.ready();
        assertEquals(2, r.entries().size(), "both proposals in one batch");
        assertEquals(r.entries(), r.committed());
        assertEquals(new HardState(core.term(), "solo", 3), r.hardState().orElseThrow());
        assertEquals(2, r.outcomes().size());
        assertTrue(core.ready().isEmpty());
    }
}

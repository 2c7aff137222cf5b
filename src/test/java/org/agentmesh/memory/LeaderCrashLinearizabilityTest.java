package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.agentmesh.linearizability.CheckResult;
import org.agentmesh.linearizability.Verdict;
import org.junit.jupiter.api.Test;

/**
 * The Raft shell and the memory API's routing under repeated leader crashes, faster than a cluster allows: a group of
 * three {@link RaftMember}s in one actor system ({@link RaftTestGroup}); the leader is crashed (its actor stopped, its
 * journal kept) while clients write, and restarted shortly after, several times. Writes caught in flight, redirects,
 * retries and recoveries from the journal all happen; the recorded history must be linearizable. The same with the
 * whole group restarting at once.
 */
class LeaderCrashLinearizabilityTest {

    private static final List<String> THREE = List.of("m1", "m2", "m3");

    @Test
    void historiesAcrossLeaderCrashesAreLinearizable() throws Exception {
        runWithCrashes(g -> List.of(g.awaitLeader(THREE)), 4, 4);
    }

    /**
     * Every member stopped and started again at once, as Cluster Sharding does when a membership change moves their
     * shards (the cluster test's log shows all three members restarting when the crashed node is removed, and again
     * when it comes back).
     */
    @Test
    void historiesAcrossWholeGroupRestartsAreLinearizable() throws Exception {
        // one round, three clients: every write in flight is left pending, and the checker's search grows with pending
        // writes (four rounds of four clients once left 111 and took 35 s to check, two rounds in a cold JVM 71 and 42 s)
        runWithCrashes(g -> THREE, 1, 3);
    }

    private static void runWithCrashes(java.util.function.Function<RaftTestGroup, List<String>> victims, int rounds,
            int clientCount) throws Exception {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            g.awaitLeader(THREE);
            MemoryClients clients = new MemoryClients(g.swarmId, "ns", 1, i -> Optional.of(g.memory));
            clients.start(clientCount);
            SplittableRandom random = new SplittableRandom(42);
            Thread.sleep(1000);
            long firstCrash = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                g.awaitLeader(THREE);
                List<String> crashed = victims.apply(g);
                crashed.forEach(g::crash);
                Thread.sleep(200 + random.nextInt(600)); // the others elect a new leader meanwhile, or not yet
                crashed.forEach(g::spawn);
                Thread.sleep(1000 + random.nextInt(500));
            }
            clients.mark();
            Thread.sleep(1000);
            clients.stop();

            CheckResult result = clients.check(firstCrash);
            assertEquals(Verdict.LINEARIZABLE, result.verdict(), result.explanation());
            assertTrue(clients.completedAfterMark() > 0, "no operation completed after the last restart");
        }
    }
}

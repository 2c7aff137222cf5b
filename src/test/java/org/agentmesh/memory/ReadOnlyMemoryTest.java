package org.agentmesh.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.agentmesh.failure.WriteGuard;
import org.agentmesh.failure.WriteRefused;
import org.junit.jupiter.api.Test;

/**
 * The memory as a node on a minority side uses it (its write guard refuses): writes fail with {@link WriteRefused}
 * and never reach the group; reads are answered from what a reachable member applied, even with no majority left,
 * where a linearizable read fails.
 */
class ReadOnlyMemoryTest {

    static final List<String> THREE = List.of("a1", "a2", "a3");

    @Test
    void writesAreRefusedAndReadsServeWhatAMemberApplied() {
        try (RaftTestGroup g = new RaftTestGroup(THREE, 5, Duration.ofMinutes(5))) {
            String leader = g.awaitLeader(THREE);
            MeshMemory readOnly = new MeshMemory(g.testKit.system(), g.settings,
                    swarm -> CompletableFuture.completedFuture(THREE), (swarm, id) -> g.members.get(id),
                    swarm -> new WriteGuard.Refused("read-only: this agent reaches 1 of 3 agents (needs 2)"));
            assertTrue(readOnly.readsMayBeStale(g.swarmId));
            long version = g.memory.store(g.swarmId, "ns", "k", IntNode.valueOf(1), Duration.ZERO).toCompletableFuture().join();

            for (var write : List.<java.util.function.Supplier<java.util.concurrent.CompletionStage<?>>>of(
                    () -> readOnly.store(g.swarmId, "ns", "k", IntNode.valueOf(2), Duration.ZERO),
                    () -> readOnly.delete(g.swarmId, "ns", "k"),
                    () -> readOnly.cas(g.swarmId, "ns", "k", version, IntNode.valueOf(3), Duration.ZERO))) {
                CompletionException e = assertThrows(CompletionException.class, () -> write.get().toCompletableFuture().join());
                assertInstanceOf(WriteRefused.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("read-only: this agent reaches 1 of 3"), e.getCause().getMessage());
            }
            // nothing of the refused writes reached the group
            assertEquals(version, g.memory.retrieve(g.swarmId, "ns", "k").toCompletableFuture().join().orElseThrow().version());

            // two of three members crash: no majority, so a linearizable read fails; a read-only one answers from a1
            String survivor = THREE.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow(); // a follower
            long committed = g.status(leader).commitIndex();
            org.agentmesh.testkit.MeshTestCluster.awaitUntil(Duration.ofSeconds(10), () -> g.status(survivor).appliedIndex() >= committed);
            for (String id : THREE) {
                if (!id.equals(survivor)) {
                    g.crash(id);
                }
            }
            CompletionException noMajority = assertThrows(CompletionException.class,
                    () -> g.memory.retrieve(g.swarmId, "ns", "k").toCompletableFuture().join());
            assertInstanceOf(NoMajorityException.class, noMajority.getCause());
            Optional<Entry> stale = readOnly.retrieve(g.swarmId, "ns", "k").toCompletableFuture().join();
            assertEquals(IntNode.valueOf(1), stale.orElseThrow().value());
            assertEquals(List.of("k"), readOnly.list(g.swarmId, "ns", "", 10).toCompletableFuture().join().stream().map(Item::key).toList());
        }
    }
}

package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmHealth;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Test;

/**
 * A confirmed failure re-dispatches the failed agents' tasks at once: with a 60 s lease and a 30 s split brain
 * resolver, nothing but the failure detector can move a task off the crashed node's agents within 15 s.
 */
class FailureRecoveryTest {

    /** Swarms tried for a fitting placement; each try's placement is printed. */
    private static final int ATTEMPTS = 12;

    @Test
    void tasksOfConfirmedFailedAgentsAreReDispatchedBeforeTheirLeaseExpires() {
        Map<String, Object> o = new HashMap<>(PartitionTest.fastDetection());
        o.put("agent-mesh.tasks.lease", "60s");
        o.put("agent-mesh.tasks.heartbeat", "1s");
        o.put("pekko.cluster.split-brain-resolver.stable-after", "30s");
        try (MeshTestCluster cluster = MeshTestCluster.start(3, o)) {
            AgentMesh mesh = cluster.node(0).mesh();
            // the victim: node 1 or 2, hosting agents but fewer than half of them, so the survivors keep a majority (with
            // half or more gone they are read-only and cannot confirm every failure: see the partition tests), and not the
            // swarm's directory (with it on the dead node, routing waits for the resolver: once it did, and re-dispatch
            // took the resolver's 30 s)
            MeshTestCluster.Placement placed = cluster.placeSwarm("rec", 6, ATTEMPTS,
                    (id, health) -> cluster.crashableWithoutTheResolver(health, id, 1, 2));
            String rec = placed.swarmId();
            int victim = placed.victim();
            SwarmHealth before = placed.health();
            // a task whose own entity lives on the victim cannot move before the resolver downs the node (its single source
            // of truth is there), so the victim's agents must hold tasks whose entities live on the survivors: submit until
            // they do (each entity's node is the hash of its id: with 2 tasks held, both entities were on the victim 1 in 9)
            Set<String> victimAgents = cluster.agentsOn(before, victim);
            Map<String, Integer> held = new HashMap<>();
            int submitted = 0;
            while (held.isEmpty() && submitted < 48) {
                for (int i = 0; i < 12; i++, submitted++) {
                    mesh.submitTask(rec, TaskRequest.sleep("long-" + submitted, 300_000, List.of())).toCompletableFuture().join();
                }
                Set<String> onVictim = cluster.entityIds(victim, TaskEntity.TYPE_KEY);
                for (TaskEntity.State t : mesh.tasks(rec, Optional.empty(), 100).toCompletableFuture().join()) {
                    if (victimAgents.contains(t.agentId()) && !onVictim.contains(TaskEntity.entityId(rec, t.spec().id()))) {
                        held.put(t.spec().id(), t.attempt());
                    }
                }
            }
            assertFalse(held.isEmpty(), "after " + submitted + " tasks the victim's agents hold none whose entity lives elsewhere");
            System.out.printf("%d tasks; held by the victim's agents with their entity on a survivor: %s%n", submitted, held.keySet());

            long crashedAt = System.currentTimeMillis();
            cluster.crash(victim);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(15), () -> mesh.tasks(rec, Optional.empty(), 100).toCompletableFuture().join()
                    .stream().anyMatch(t -> held.containsKey(t.spec().id()) && t.attempt() > held.get(t.spec().id())
                            && !victimAgents.contains(t.agentId())));
            System.out.printf("first task of a failed agent re-dispatched %d ms after the crash%n", System.currentTimeMillis() - crashedAt);
            // every victim confirmed within the detector's bound (the first re-dispatch follows the first confirmation)
            Set<String> detected = new TreeSet<>();
            SwarmHealth[] after = new SwarmHealth[1];
            try {
                MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
                    after[0] = mesh.health(rec).toCompletableFuture().join();
                    after[0].agents().forEach(r -> r.detections().forEach(d -> detected.add(d.peer())));
                    return detected.containsAll(victimAgents);
                });
            } catch (AssertionError e) {
                throw new AssertionError("confirmed failed: " + detected + ", victims " + victimAgents, e);
            }
            assertTrue(after[0].confirmationsPerFailure().stream().allMatch(c -> c >= 1), "every failure confirmed by another agent");
            // and then every such task, not only the first: one re-dispatched to another of the victim's agents before this
            // node knew that one failed too moves again when the failure reaches it, long before the 60 s lease
            Map<String, String> holders = new TreeMap<>();
            try {
                MeshTestCluster.awaitUntil(Duration.ofSeconds(15), () -> {
                    holders.clear();
                    mesh.tasks(rec, Optional.empty(), 100).toCompletableFuture().join().stream()
                            .filter(t -> held.containsKey(t.spec().id()))
                            .forEach(t -> holders.put(t.spec().id(), t.agentId() + "@" + t.attempt()));
                    return holders.size() == held.size() && holders.values().stream().noneMatch(h ->
                            victimAgents.contains(h.substring(0, h.indexOf('@'))));
                });
            } catch (AssertionError e) {
                throw new AssertionError("holders now " + holders + ", victims " + victimAgents, e);
            }
            List<TaskEntity.State> tasks = mesh.tasks(rec, Optional.empty(), 100).toCompletableFuture().join();
            assertTrue(tasks.stream().noneMatch(t -> t.phase().terminal()), "nothing completed or failed by the re-dispatch itself");
        }
    }
}

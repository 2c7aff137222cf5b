package org.agentmesh.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.agentmesh.failure.FailureDetectorMember;
import org.agentmesh.gossip.GossipMember;
import org.agentmesh.gossip.PeerEntry;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * Gossip on a real 3-node cluster with 12 agents: a capability change at one agent reaches the view of every agent
 * within a few rounds, routing uses it, the metrics are measured, and a shut-down swarm stops its members (gossip and
 * failure detectors).
 */
class GossipClusterTest {

    private static final long INTERVAL_MILLIS = 300;
    private static final int AGENTS = 12;
    /** log3(12) + ln(12) is about 5 rounds; allow twice that. */
    private static final int MAX_ROUNDS = 10;

    @Test
    void aCapabilityChangeReachesEveryAgentWithinAFewRounds() {
        try (MeshTestCluster cluster = MeshTestCluster.start(3, Map.of(
                "agent-mesh.gossip.interval", INTERVAL_MILLIS + "ms",
                "agent-mesh.gossip.push-sum-epoch-rounds", "10"))) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of("g", AGENTS)).toCompletableFuture().join();
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= AGENTS; i++) {
                ids.add("agent-" + i);
            }
            // every member started and knows every other as live
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> ids.stream().allMatch(id -> {
                Optional<GossipMember.View> v = localView(cluster, id);
                return v.isPresent() && v.get().stats().livePeers() == AGENTS;
            }));
            Map<String, Integer> perNode = mesh.status("g").toCompletableFuture().join().agentsPerNode();
            System.out.println("agents per node: " + perNode);
            assertEquals(3, perNode.size(), "the agents are spread over the three nodes");

            String changed = "agent-5";
            Set<String> newCapabilities = Set.of("general", "gpu");
            long start = System.nanoTime();
            var info = mesh.setCapabilities("g", changed, List.copyOf(newCapabilities)).toCompletableFuture().join();
            assertEquals(Set.copyOf(newCapabilities), Set.copyOf(info.capabilities()), "the agent recorded the change");
            long deadline = start + Duration.ofMillis(MAX_ROUNDS * INTERVAL_MILLIS).toNanos();
            List<String> missing = ids;
            while (!(missing = withoutChange(cluster, ids, changed, newCapabilities)).isEmpty() && System.nanoTime() < deadline) {
                MeshTestCluster.sleep(5);
            }
            double millis = (System.nanoTime() - start) / 1e6;
            System.out.printf("capability change at %s reached all %d agents on 3 nodes in %.0f ms = %.1f rounds of %d ms%n",
                    changed, AGENTS, millis, millis / INTERVAL_MILLIS, INTERVAL_MILLIS);
            assertTrue(missing.isEmpty(), "after " + MAX_ROUNDS + " rounds these agents still lack the change: " + missing);

            // the public read path agrees
            for (String id : ids) {
                GossipMember.View v = mesh.gossipView("g", id).toCompletableFuture().join();
                PeerEntry e = v.peers().stream().filter(p -> p.peerId().equals(changed)).findFirst().orElseThrow();
                assertEquals(newCapabilities, Set.copyOf(e.capabilities()), id + "'s view of " + changed);
            }

            // routing reads capabilities from gossip: only agent-5 can serve "gpu" (the swarm's spec still says "general")
            TaskEntity.State task = mesh.submitTask("g", TaskRequest.sleep("needs-gpu", 10, List.of("gpu")))
                    .toCompletableFuture().join();
            assertEquals(changed, task.agentId());

            // metrics: everybody heard from, messages flow, push-sum counts the agents
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> mesh.gossipReport("g").toCompletableFuture().join().estimateReady());
            GossipReport report = mesh.gossipReport("g").toCompletableFuture().join();
            System.out.printf("gossip report: started %d/%d, connectivity %.2f, %.1f msgs/s, %d ms since a view change, "
                            + "mean load %.3f, live agents %.2f%n", report.started(), report.agents(), report.connectivity(),
                    report.messagesPerSecond(), report.millisSinceViewChange(), report.meanLoad(), report.liveAgents());
            assertEquals(AGENTS, report.started());
            assertTrue(report.connectivity() > 0.9, "connectivity " + report.connectivity());
            assertTrue(report.messagesPerSecond() > 0, "message rate " + report.messagesPerSecond());
            assertEquals(AGENTS, report.liveAgents(), 0.5, "push-sum count of live agents");
            // convergence time: every agent took in updates (at least the capability change) and measured their delay
            assertTrue(report.perAgent().stream().filter(a -> !a.agentId().equals(changed))
                    .allMatch(a -> a.updateDelayMillisMax() != null && a.updateDelayMillisP50() <= a.updateDelayMillisMax()),
                    "per-agent update delays " + report.perAgent());
            assertEquals(report.perAgent().stream().map(GossipReport.AgentGossip::updateDelayMillisMax)
                    .filter(java.util.Objects::nonNull).max(Long::compare).orElseThrow(), report.convergenceMillis());
            System.out.printf("convergence (slowest recent update to reach an agent): %d ms%n", report.convergenceMillis());

            // a shut-down swarm stops its gossip members (after they spread their LEFT entries)
            ShutdownResult shutdown = mesh.shutdownSwarm("g").toCompletableFuture().join();
            assertTrue(shutdown.complete(), "shutdown " + shutdown);
            MeshTestCluster.awaitUntil(Duration.ofSeconds(15), () -> ids.stream().allMatch(id -> localView(cluster, id).isEmpty()));
            // ... and its failure detectors (which else would watch retired agents for ever, and come back with every restart)
            MeshTestCluster.awaitUntil(Duration.ofSeconds(15), () -> detectorsOf(cluster, "g").isEmpty());

            // a detector woken for a swarm that does not exist (a late message after the shutdown) stops itself
            var ghost = cluster.node(0).system();
            var woken = ClusterSharding.get(ghost).entityRefFor(FailureDetectorMember.TYPE_KEY,
                    FailureDetectorMember.entityId("ghost", "agent-1"))
                    .<FailureDetectorMember.Report>ask(FailureDetectorMember.GetReport::new, Duration.ofSeconds(10))
                    .toCompletableFuture().join();
            assertEquals("agent-1", woken.agentId(), "the detector was woken");
            MeshTestCluster.awaitUntil(Duration.ofSeconds(15), () -> detectorsOf(cluster, "ghost").isEmpty());
        }
    }

    /** The failure detector entities of {@code swarmId} that any node runs. */
    private static List<String> detectorsOf(MeshTestCluster cluster, String swarmId) {
        List<String> running = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            cluster.entityIds(i, FailureDetectorMember.TYPE_KEY).stream().filter(id -> id.startsWith(swarmId + ":"))
                    .forEach(running::add);
        }
        return running;
    }

    /** The member's latest view from whichever node runs it. */
    private static Optional<GossipMember.View> localView(MeshTestCluster cluster, String agentId) {
        for (int i = 0; i < cluster.size(); i++) {
            Optional<GossipMember.View> v = cluster.node(i).mesh().gossipViews().local("g", agentId);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }

    private static List<String> withoutChange(MeshTestCluster cluster, List<String> ids, String changed, Set<String> capabilities) {
        return ids.stream().filter(id -> localView(cluster, id)
                .flatMap(v -> v.peers().stream().filter(p -> p.peerId().equals(changed)).findFirst())
                .map(e -> !e.capabilities().equals(new java.util.TreeSet<>(capabilities)))
                .orElse(true)).toList();
    }

}

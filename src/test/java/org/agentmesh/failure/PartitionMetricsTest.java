package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmHealth;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A partition that heals before the split brain resolver acts: the cut-off node's agents go READ_ONLY and come back
 * NORMAL. The node's Prometheus metrics (current mode, partitions entered, recovery time, false suspicions) must say
 * what its agents' detectors report in {@code health}.
 */
class PartitionMetricsTest {

    static final String SWARM = "pm";
    static final int AGENTS = 7;

    @Test
    void metricsMatchWhatTheDetectorsReport() {
        Map<String, Object> o = new HashMap<>(PartitionTest.fastDetection());
        o.put("pekko.cluster.split-brain-resolver.stable-after", "120s"); // the partition heals long before
        try (MeshTestCluster cluster = MeshTestCluster.start(3, o)) {
            AgentMesh mesh = cluster.node(0).mesh();
            mesh.createSwarm(SwarmRequest.of(SWARM, AGENTS)).toCompletableFuture().join();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                SwarmHealth h = health(mesh);
                return h.agents().size() == AGENTS && h.agents().stream().allMatch(r -> r.known() == AGENTS);
            });
            // cut off a node hosting 1-3 of the 7 agents (a minority); there always is one unless all 7 are on one node
            SwarmHealth before = health(mesh);
            int x = -1;
            for (int i = 0; i < 3 && x < 0; i++) {
                int hosted = cluster.agentsOn(before, i).size();
                x = hosted >= 1 && hosted <= 3 ? i : -1;
            }
            Assumptions.assumeTrue(x >= 0, "all agents on one node");
            int cut = x;
            Set<String> cutAgents = cluster.agentsOn(before, cut);
            AgentMesh meshX = cluster.node(cut).mesh();
            String label = "swarm=\"" + SWARM + "\"";

            cluster.partition(Set.of(cut), Set.of(0, 1, 2).stream().filter(i -> i != cut).collect(java.util.stream.Collectors.toSet()));
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> Scrape.sum(meshX.metrics().scrape(),
                    "agent_mesh_agents_in_mode", label, "mode=\"READ_ONLY\"") == cutAgents.size());
            assertEquals(0.0, Scrape.sum(meshX.metrics().scrape(), "agent_mesh_agents_in_mode", label, "mode=\"NORMAL\""));
            assertTrue(meshX.readsMayBeStale(SWARM), "the cut-off node is read-only");

            cluster.heal();
            MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> {
                SwarmHealth h = health(meshX);
                return h.agents().size() == AGENTS && h.modes().values().stream().allMatch("NORMAL"::equals) && h.failed().isEmpty();
            });
            String text = meshX.metrics().scrape();
            assertEquals(cutAgents.size(), Scrape.sum(text, "agent_mesh_agents_in_mode", label, "mode=\"NORMAL\""));
            assertEquals(0.0, Scrape.sum(text, "agent_mesh_agents_in_mode", label, "mode=\"READ_ONLY\""));

            // counters against the reports of the detectors on that node (none moved: nobody was downed)
            List<FailureDetectorMember.Report> onX = health(meshX).agents().stream().filter(r -> cutAgents.contains(r.agentId())).toList();
            int partitions = onX.stream().mapToInt(FailureDetectorMember.Report::partitions).sum();
            List<Long> recovery = onX.stream().flatMap(r -> r.recoveryMillis().stream()).toList();
            assertTrue(partitions >= cutAgents.size(), "every cut-off agent entered READ_ONLY: " + partitions);
            assertEquals(partitions, Scrape.sum(text, "agent_mesh_partitions_total", label));
            assertEquals(recovery.size(), Scrape.sum(text, "agent_mesh_partition_recovery_seconds_count", label));
            assertEquals(recovery.stream().mapToLong(Long::longValue).sum() / 1000.0,
                    Scrape.sum(text, "agent_mesh_partition_recovery_seconds_sum", label), 1e-6);
            System.out.printf("cut-off agents %s: READ_ONLY for %s ms%n", cutAgents, recovery);

            // false suspicions, summed over the nodes, against every detector's count (they settle once all is NORMAL)
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                long reported = health(mesh).falseSuspicions();
                double counted = 0;
                for (int i = 0; i < 3; i++) {
                    counted += Scrape.sum(cluster.node(i).mesh().metrics().scrape(), "agent_mesh_failure_false_suspicions_total", label);
                }
                return counted == reported;
            });
        }
    }

    private static SwarmHealth health(AgentMesh mesh) {
        return mesh.health(SWARM).toCompletableFuture().join();
    }
}

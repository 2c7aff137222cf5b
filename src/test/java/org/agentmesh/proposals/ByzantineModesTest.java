package org.agentmesh.proposals;

import static org.agentmesh.proposals.ProposalTestSupport.join;
import static org.agentmesh.proposals.ProposalTestSupport.request;
import static org.agentmesh.proposals.ProposalTestSupport.awaitDecided;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.testkit.MeshTestCluster;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The other byzantine test-hook modes in-JVM (forging is {@link ByzantineProposalsTest}), one swarm of four agents on
 * two nodes per mode: a silent primary (view 0's a1), an equivocating primary, and a replica replaying messages it
 * heard. In each, a valid assignment is approved and an impossible one rejected exactly as the three correct agents
 * say, every correct replica reports the same decisions, and the fault shows in the metrics: view changes away from the
 * silent and the equivocating primary, conflicting pre-prepares and replays dropped and counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ByzantineModesTest {

    private MeshTestCluster cluster;
    private AgentMesh mesh;

    @BeforeAll
    void start() {
        cluster = MeshTestCluster.start(2, Map.of(
                "agent-mesh.pbft.test-hooks.enabled", "on",
                "agent-mesh.pbft.test-hooks.byzantine-modes", Map.of("\"silent:a1\"", "silent", "\"equiv:a1\"", "equivocate",
                        "\"replay:a2\"", "replay"), // quoted: map keys are config paths
                "agent-mesh.pbft.request-timeout", "1s",
                "agent-mesh.pbft.view-change-timeout", "1s"));
        mesh = cluster.node(0).mesh();
        for (String swarm : List.of("silent", "equiv", "replay")) {
            join(mesh.createSwarm(new SwarmRequest(swarm, null, 4, null, null, null, List.of(
                    new SwarmRequest.AgentRequest("a1", List.of("code"), 1),
                    new SwarmRequest.AgentRequest("a2", List.of("code", "test"), 1),
                    new SwarmRequest.AgentRequest("a3", List.of("docs"), 1),
                    new SwarmRequest.AgentRequest("a4", List.of("code"), 1)))));
        }
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void aSilentPrimaryIsReplacedByAViewChangeAndProposalsStillDecide() {
        decideBoth("silent", "a1");
        ConsensusMetrics m = join(mesh.consensus("silent"));
        assertTrue(m.viewChangesCompleted() >= 1 && m.view() >= 1, () -> "the silent primary was not replaced: " + m);
        PbftReplica.ReplicaMetrics silent = replica(m, "a1");
        assertEquals(0, silent.decisions(), "a silent replica hears nothing, so it decides nothing");
    }

    @Test
    void anEquivocatingPrimaryCausesNoDivergenceAndIsReplaced() {
        decideBoth("equiv", "a1");
        ConsensusMetrics m = join(mesh.consensus("equiv"));
        assertTrue(m.viewChangesCompleted() >= 1, () -> "the equivocating primary was not replaced: " + m);
        long conflicting = correct(m, "a1").stream().mapToLong(r -> r.dropped().getOrDefault("CONFLICTING_VOTE", 0L)).sum();
        assertTrue(conflicting >= 1, () -> "the backup that got two pre-prepares for one slot did not catch it: " + m);
    }

    @Test
    void replayedMessagesAreDroppedAndCounted() {
        decideBoth("replay", "a2");
        AtomicReference<ConsensusMetrics> last = new AtomicReference<>();
        MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
            last.set(join(mesh.consensus("replay")));
            return replica(last.get(), "a2").replayed() >= 20;
        });
        ConsensusMetrics m = last.get();
        long replayed = replica(m, "a2").replayed();
        long dropped = correct(m, "a2").stream().mapToLong(r -> r.dropped().getOrDefault("DUPLICATE", 0L)
                + r.dropped().getOrDefault("STALE", 0L)).sum();
        // every replayed message is one its target already had (or one below its checkpoint or view)
        assertTrue(dropped >= replayed / 2, () -> "replayed " + replayed + " but only " + dropped + " dropped: " + m);
    }

    /** A valid assignment is approved and an impossible one rejected early; correct replicas agree on both. */
    private void decideBoth(String swarm, String liar) {
        join(mesh.propose(swarm, request("ok", "{\"task_assignment\":\"build\",\"assigned_to\":\"a2\","
                + "\"required_capabilities\":[\"code\"]}")));
        join(mesh.propose(swarm, request("bad", "{\"task_assignment\":\"train\",\"assigned_to\":\"a3\","
                + "\"required_capabilities\":[\"gpu\"]}")));
        ProposalStatus ok = awaitDecided(mesh, swarm, "ok", Duration.ofSeconds(60));
        assertEquals(Decision.APPROVED, ok.decision(), ok::toString);
        assertTrue(ok.tally().approve() >= 3, ok::toString);
        ProposalStatus bad = awaitDecided(mesh, swarm, "bad", Duration.ofSeconds(60));
        assertEquals(Decision.REJECTED, bad.decision(), bad::toString);
        assertTrue(bad.decidedAtMillis() < bad.deadlineMillis(), "rejected early");
        for (String id : List.of("ok", "bad")) {
            MeshTestCluster.awaitUntil(Duration.ofSeconds(30), () -> {
                List<List<ProposalStatus>> answers = new ArrayList<>();
                for (String agent : List.of("a1", "a2", "a3", "a4")) {
                    if (!agent.equals(liar)) {
                        answers.add(join(ClusterSharding.get(cluster.node(0).system())
                                .entityRefFor(PbftReplica.TYPE_KEY, PbftReplica.entityId(swarm, agent))
                                .<PbftReplica.ProposalAnswer>ask(r -> new PbftReplica.GetProposal(id, r), Duration.ofSeconds(5)))
                                .status());
                    }
                }
                return answers.stream().distinct().count() == 1 && !answers.get(0).isEmpty()
                        && answers.get(0).get(0).decision() != Decision.OPEN;
            });
        }
    }

    private static PbftReplica.ReplicaMetrics replica(ConsensusMetrics m, String agent) {
        return m.replicas().stream().filter(r -> r.agentId().equals(agent)).findFirst().orElseThrow();
    }

    private static List<PbftReplica.ReplicaMetrics> correct(ConsensusMetrics m, String liar) {
        return m.replicas().stream().filter(r -> !r.agentId().equals(liar)).toList();
    }
}

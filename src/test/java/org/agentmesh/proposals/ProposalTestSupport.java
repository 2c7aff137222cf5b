package org.agentmesh.proposals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.agentmesh.swarm.AgentMesh;
import org.agentmesh.testkit.MeshTestCluster;

/** What the in-JVM proposal tests share: waiting on futures, building proposals, waiting for a status. */
final class ProposalTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProposalTestSupport() {
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A proposal with this id and JSON body, the swarm's default threshold (or {@code threshold}), 5 minutes to decide. */
    static SwarmProposals.ProposeRequest request(String id, String proposal, Optional<Double> threshold) {
        try {
            return new SwarmProposals.ProposeRequest(Optional.of(id), Optional.empty(), JSON.readTree(proposal), threshold,
                    Optional.of(Duration.ofMinutes(5)));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static SwarmProposals.ProposeRequest request(String id, String proposal) {
        return request(id, proposal, Optional.empty());
    }

    /** The proposal's status once it satisfies {@code condition} (read as f+1 replicas agree), within {@code timeout}. */
    static ProposalStatus awaitStatus(AgentMesh mesh, String swarm, String proposalId, Duration timeout,
            Predicate<ProposalStatus> condition) {
        AtomicReference<ProposalStatus> last = new AtomicReference<>();
        MeshTestCluster.awaitUntil(timeout, () -> {
            try {
                last.set(mesh.proposal(swarm, proposalId).toCompletableFuture().get(10, TimeUnit.SECONDS));
                return condition.test(last.get());
            } catch (Exception e) {
                return false;
            }
        });
        return last.get();
    }

    static ProposalStatus awaitDecided(AgentMesh mesh, String swarm, String proposalId, Duration timeout) {
        return awaitStatus(mesh, swarm, proposalId, timeout, s -> s.decision() != Decision.OPEN);
    }
}

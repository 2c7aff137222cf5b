package org.agentmesh.task;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.agentmesh.serialization.CborSerializable;

/**
 * What a worker or a router knows about the agents of a swarm: who they are, what they can do, how loaded they are.
 * Provided by the layer above (the swarm, later fed by gossip); a snapshot may be a little stale.
 */
public interface AgentView {

    /**
     * One agent as seen now. {@code utilization} is (running + queued) / capacity, so it may exceed 1; {@code executed}
     * counts the attempts its worker ran since it started; {@code pastPerformance} is the share of those that succeeded.
     */
    record AgentLoad(String agentId, List<String> capabilities, int capacity, int running, int queued, boolean live,
            long executed, double pastPerformance) implements CborSerializable {

        public double utilization() {
            return capacity == 0 ? 1.0 : (double) (running + queued) / capacity;
        }
    }

    CompletionStage<List<AgentLoad>> agents(String swarmId);

    /** Fraction of {@code required} that {@code capabilities} cover (1.0 when nothing is required). */
    static double match(List<String> required, List<String> capabilities) {
        if (required.isEmpty()) {
            return 1.0;
        }
        long hit = required.stream().filter(capabilities::contains).count();
        return (double) hit / required.size();
    }
}

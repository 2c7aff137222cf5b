package org.agentmesh.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.agentmesh.serialization.CborSerializable;

/**
 * A task as accepted: validated by {@link TaskSpecs}, so a spec that exists is valid.
 *
 * @param id unique within the swarm (client-supplied for idempotent submission, else generated)
 * @param requiredCapabilities what an agent must be able to do (matched against agent capabilities)
 * @param priority 0 (lowest) to 9; higher runs first from an agent's queue
 * @param estimatedCostMillis the submitter's estimate of the work, used by strategies and the balancer
 * @param payload executor input (JSON)
 * @param executor which {@link TaskExecutor} runs it: sleep, shell, http or external
 * @param maxRetries how many failed attempts are retried before the task fails for good
 * @param timeoutMillis how long one attempt may run
 * @param strategy assignment strategy for this task; empty means the swarm's
 * @param assignTo the agent that must take the task; empty means the strategy chooses
 */
public record TaskSpec(
        String id,
        List<String> requiredCapabilities,
        int priority,
        long estimatedCostMillis,
        JsonNode payload,
        String executor,
        int maxRetries,
        long timeoutMillis,
        String strategy,
        String assignTo) implements CborSerializable {

    public TaskSpec {
        requiredCapabilities = List.copyOf(requiredCapabilities);
    }
}

package org.agentmesh.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A task as a client submits it (HTTP, CLI, MCP, Java): every field but {@code executor} optional; see {@link TaskSpecs}.
 * {@code assignTo} names the agent that must take it (instead of the strategy choosing); it must be able to serve it.
 */
public record TaskRequest(
        String id,
        List<String> requiredCapabilities,
        Integer priority,
        Long estimatedCostMillis,
        JsonNode payload,
        String executor,
        Integer maxRetries,
        Long timeoutMillis,
        String strategy,
        String assignTo) {

    /** A {@code sleep} task of {@code millis}, for demos, tests and benchmarks. */
    public static TaskRequest sleep(String id, long millis, List<String> capabilities) {
        return new TaskRequest(id, capabilities, null, millis, null, "sleep", null, null, null, null);
    }
}

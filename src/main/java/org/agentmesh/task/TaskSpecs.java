package org.agentmesh.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.Strategy;
import org.agentmesh.swarm.SwarmSpecs;

/** Turns a {@link TaskRequest} into a valid {@link TaskSpec}, or says which field is wrong. */
public final class TaskSpecs {

    public static final List<String> EXECUTORS = List.of("sleep", "shell", "http", "external");
    static final int MAX_RETRIES = 100;
    static final long MAX_TIMEOUT_MILLIS = 24L * 3600 * 1000;

    private TaskSpecs() {}

    /** @param enabled the executors this mesh runs (shell is off unless configured) */
    public static TaskSpec resolve(TaskRequest r, String field, java.util.Set<String> enabled) {
        String prefix = field.isEmpty() ? "" : field + ".";
        String id = r.id() == null ? "task-" + UUID.randomUUID() : SwarmSpecs.checkId(prefix + "id", r.id());
        if (r.executor() == null || !EXECUTORS.contains(r.executor())) {
            throw new InvalidInput(prefix + "executor", "executor must be one of " + EXECUTORS + ", was "
                    + (r.executor() == null ? "missing" : "'" + r.executor() + "'"));
        }
        if (!enabled.contains(r.executor())) {
            throw new InvalidInput(prefix + "executor", "executor '" + r.executor() + "' is disabled on this mesh"
                    + (r.executor().equals("shell") ? " (agent-mesh.tasks.shell-enabled)" : ""));
        }
        List<String> caps = new ArrayList<>();
        if (r.requiredCapabilities() != null) {
            for (int i = 0; i < r.requiredCapabilities().size(); i++) {
                String c = r.requiredCapabilities().get(i);
                if (c == null || !c.matches("[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}")) {
                    throw new InvalidInput(prefix + "requiredCapabilities[" + i + "]", "a capability must match [A-Za-z0-9][A-Za-z0-9._:/-]{0,63}");
                }
                caps.add(c);
            }
        }
        int priority = r.priority() == null ? 5 : r.priority();
        if (priority < 0 || priority > 9) {
            throw new InvalidInput(prefix + "priority", "priority must be between 0 and 9, was " + priority);
        }
        long cost = r.estimatedCostMillis() == null ? 1000 : r.estimatedCostMillis();
        if (cost < 0 || cost > MAX_TIMEOUT_MILLIS) {
            throw new InvalidInput(prefix + "estimatedCostMillis", "estimatedCostMillis must be between 0 and " + MAX_TIMEOUT_MILLIS);
        }
        int retries = r.maxRetries() == null ? 3 : r.maxRetries();
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new InvalidInput(prefix + "maxRetries", "maxRetries must be between 0 and " + MAX_RETRIES + ", was " + retries);
        }
        long timeout = r.timeoutMillis() == null ? 60_000 : r.timeoutMillis();
        if (timeout < 1 || timeout > MAX_TIMEOUT_MILLIS) {
            throw new InvalidInput(prefix + "timeoutMillis", "timeoutMillis must be between 1 and " + MAX_TIMEOUT_MILLIS);
        }
        String strategy = "";
        if (r.strategy() != null) {
            strategy = Strategy.parse(r.strategy()).orElseThrow(() -> new InvalidInput(prefix + "strategy",
                    "unknown strategy '" + r.strategy() + "'; supported: " + Strategy.supported())).wireName();
        }
        String assignTo = r.assignTo() == null ? "" : SwarmSpecs.checkId(prefix + "assignTo", r.assignTo());
        JsonNode payload = r.payload() == null ? JsonNodeFactory.instance.objectNode() : r.payload();
        TaskExecutors.validatePayload(r.executor(), payload, prefix + "payload");
        return new TaskSpec(id, List.copyOf(new LinkedHashSet<>(caps)), priority, cost, payload, r.executor(), retries, timeout, strategy, assignTo);
    }
}

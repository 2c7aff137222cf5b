package org.agentmesh.proposals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Approves a proposal that is valid against the live swarm, rejects it otherwise. A task assignment
 * {@code {"task_assignment": "<task>", "assigned_to": "<agent>", "required_capabilities": [...]}} is valid when the
 * assignee is live and has at least {@code matchThreshold} (default 0.7, the design's capability match threshold) of
 * the required capabilities; without {@code required_capabilities} the task name itself is the one required
 * capability. Any other proposal is valid when it is a non-empty JSON object.
 */
public final class ValidatingVotePolicy implements VotePolicy {

    private final double matchThreshold;

    public ValidatingVotePolicy() {
        this(0.7);
    }

    public ValidatingVotePolicy(double matchThreshold) {
        this.matchThreshold = matchThreshold;
    }

    @Override
    public Choice decide(String agentId, Proposal proposal, LiveAgents live) {
        return valid(proposal.proposal(), live) ? Choice.APPROVE : Choice.REJECT;
    }

    public boolean valid(JsonNode p, LiveAgents live) {
        if (p == null || !p.isObject() || p.isEmpty()) {
            return false;
        }
        if (!p.has("task_assignment")) {
            return true;
        }
        JsonNode task = p.get("task_assignment");
        JsonNode assignee = p.get("assigned_to");
        if (!task.isTextual() || task.asText().isBlank() || assignee == null || !assignee.isTextual()) {
            return false;
        }
        if (!live.isLive(assignee.asText())) {
            return false;
        }
        List<String> required = new ArrayList<>();
        JsonNode caps = p.get("required_capabilities");
        if (caps == null) {
            required.add(task.asText());
        } else if (caps.isArray()) {
            for (JsonNode c : caps) {
                if (!c.isTextual()) {
                    return false;
                }
                required.add(c.asText());
            }
        } else {
            return false;
        }
        if (required.isEmpty()) {
            return true;
        }
        long have = required.stream().filter(live.capabilities().get(assignee.asText())::contains).count();
        return have / (double) required.size() >= matchThreshold;
    }
}

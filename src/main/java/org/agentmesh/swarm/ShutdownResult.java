package org.agentmesh.swarm;

import java.util.List;

/** Outcome of a graceful swarm shutdown: which agents confirmed their retirement, and which did not answer in time. */
public record ShutdownResult(String swarmId, List<String> retired, List<String> unconfirmed) {

    public boolean complete() {
        return unconfirmed.isEmpty();
    }
}

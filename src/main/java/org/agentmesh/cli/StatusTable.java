package org.agentmesh.cli;

import java.util.Locale;
import java.util.stream.Collectors;
import org.agentmesh.swarm.SwarmStatus;

/** Renders a swarm status as a plain-text table for terminals. */
final class StatusTable {

    private StatusTable() {}

    static String render(SwarmStatus s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "swarm %s  topology=%s  strategy=%s  agents=%d/%d  active=%d  unresponsive=%d%n",
                s.id(), s.topology(), s.strategy(), s.agentCount(), s.maxAgents(), s.active(), s.unresponsive()));
        String fmt = "%-14s %-22s %-12s %-26s %8s %6s %11s %8s%n";
        b.append(String.format(Locale.ROOT, fmt, "AGENT", "NODE", "STATE", "CAPABILITIES", "CAPACITY", "LOAD", "REPUTATION", "RESTARTS"));
        for (SwarmStatus.AgentStatus a : s.agents()) {
            b.append(String.format(Locale.ROOT, fmt, a.id(), a.node(), a.state(),
                    String.join(",", a.capabilities()), a.capacity(), String.format(Locale.ROOT, "%.2f", a.load()),
                    String.format(Locale.ROOT, "%.2f", a.reputation()), a.restarts()));
        }
        b.append("agents per node: ").append(s.agentsPerNode().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))).append('\n');
        return b.toString();
    }
}

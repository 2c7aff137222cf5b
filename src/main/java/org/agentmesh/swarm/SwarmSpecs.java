package org.agentmesh.swarm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Turns a {@link SwarmRequest} into a valid {@link SwarmSpec}, or says which field is wrong. */
public final class SwarmSpecs {

    /** Ids of swarms and agents: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern CAPABILITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}");
    private static final int MAX_CAPABILITIES = 64;
    private static final int MAX_CAPACITY = 10_000;

    /** Defaults from {@code agent-mesh.swarm} in the config. */
    public record Defaults(int maxAgents, int maxAgentsLimit, Strategy strategy, List<String> capabilities, int capacity) {}

    private SwarmSpecs() {}

    public static SwarmSpec resolve(SwarmRequest request, Defaults defaults) {
        String id = request.id() == null ? "swarm-" + UUID.randomUUID().toString().substring(0, 8) : checkId("id", request.id());

        Topology topology = Topology.MESH;
        if (request.topology() != null) {
            topology = Topology.parse(request.topology()).orElseThrow(() -> new InvalidInput("topology",
                    "unknown topology '" + request.topology() + "'; supported: " + Topology.supported()));
        }

        int maxAgents = request.maxAgents() == null ? defaults.maxAgents() : request.maxAgents();
        if (maxAgents < 1 || maxAgents > defaults.maxAgentsLimit()) {
            throw new InvalidInput("maxAgents", "maxAgents must be between 1 and " + defaults.maxAgentsLimit() + ", was " + maxAgents);
        }

        Strategy strategy = defaults.strategy();
        if (request.strategy() != null) {
            strategy = Strategy.parse(request.strategy()).orElseThrow(() -> new InvalidInput("strategy",
                    "unknown strategy '" + request.strategy() + "'; supported: " + Strategy.supported()));
        }

        List<AgentSpec> agents = new ArrayList<>();
        if (request.agents() != null) {
            if (request.agentCount() != null) {
                throw new InvalidInput("agentCount", "give either agents or agentCount, not both");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < request.agents().size(); i++) {
                SwarmRequest.AgentRequest a = request.agents().get(i);
                String path = "agents[" + i + "]";
                if (a == null) {
                    throw new InvalidInput(path, "an agent must be an object");
                }
                String agentId = a.id() == null ? "agent-" + (i + 1) : checkId(path + ".id", a.id());
                if (!seen.add(agentId)) {
                    throw new InvalidInput(path + ".id", "duplicate agent id '" + agentId + "'");
                }
                List<String> caps = a.capabilities() == null ? defaults.capabilities() : checkCapabilities(path + ".capabilities", a.capabilities());
                agents.add(new AgentSpec(agentId, caps, checkCapacity(path + ".capacity", a.capacity(), defaults.capacity())));
            }
        } else {
            int count = request.agentCount() == null ? maxAgents : request.agentCount();
            if (count < 0) {
                throw new InvalidInput("agentCount", "agentCount must be >= 0, was " + count);
            }
            List<String> caps = request.capabilities() == null ? defaults.capabilities() : checkCapabilities("capabilities", request.capabilities());
            for (int i = 1; i <= count; i++) {
                agents.add(new AgentSpec("agent-" + i, caps, defaults.capacity()));
            }
        }
        if (agents.size() > maxAgents) {
            throw new InvalidInput(request.agents() != null ? "agents" : "agentCount",
                    agents.size() + " agents exceed maxAgents " + maxAgents);
        }
        return new SwarmSpec(id, topology, maxAgents, strategy, agents);
    }

    public static String checkId(String field, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidInput(field, field + " must match " + ID.pattern() + ", was " + quote(id));
        }
        return id;
    }

    static List<String> checkCapabilities(String field, List<String> caps) {
        if (caps.size() > MAX_CAPABILITIES) {
            throw new InvalidInput(field, "at most " + MAX_CAPABILITIES + " capabilities");
        }
        for (int i = 0; i < caps.size(); i++) {
            String c = caps.get(i);
            if (c == null || !CAPABILITY.matcher(c).matches()) {
                throw new InvalidInput(field + "[" + i + "]", "a capability must match " + CAPABILITY.pattern() + ", was " + quote(c));
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(caps));
    }

    private static int checkCapacity(String field, Integer capacity, int fallback) {
        int c = capacity == null ? fallback : capacity;
        if (c < 1 || c > MAX_CAPACITY) {
            throw new InvalidInput(field, "capacity must be between 1 and " + MAX_CAPACITY + ", was " + c);
        }
        return c;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "'" + shown + "'";
    }
}

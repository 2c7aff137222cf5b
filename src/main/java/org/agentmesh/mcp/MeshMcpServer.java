package org.agentmesh.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agentmesh.client.NodeClient;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.ReportWindow;

/**
 * The mesh as Model Context Protocol tools, over stdio (the official MCP Java SDK), so that AI agents use it directly.
 * Every tool is a call to a node's HTTP API: it does what it says or returns an error result with the node's reason;
 * none reports success for nothing.
 */
public final class MeshMcpServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeClient node;
    private final McpJsonMapper mapper = McpJsonDefaults.getMapper();

    public MeshMcpServer(NodeClient node) {
        this.node = node;
    }

    /** Serves on the given streams until the client closes them. */
    public McpSyncServer start(InputStream in, OutputStream out) {
        return McpServer.sync(new StdioServerTransportProvider(mapper, in, out))
                .serverInfo("agent-mesh", version())
                .instructions("Agent Mesh: a peer-to-peer coordination mesh for swarms of agents. Create a swarm (swarm_init), "
                        + "submit tasks (task_submit, task_orchestrate), share memory (memory_usage), decide together (daa_consensus), "
                        + "message agents (daa_communication), and read measured health and performance (swarm_monitor, performance_report).")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(tools())
                .build();
    }

    private static String version() {
        String v = MeshMcpServer.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    // ---- tools

    List<SyncToolSpecification> tools() {
        List<SyncToolSpecification> t = new ArrayList<>();
        t.add(tool("swarm_init", "Create a swarm: topology (mesh), maxAgents (1-1000), strategy (capability | auction | dht | round-robin | random), "
                        + "optional id, agent count and capabilities of the created agents.",
                props(p("topology", "string", "overlay topology: mesh"), p("maxAgents", "integer", "most agents"),
                        p("strategy", "string", "assignment strategy"), p("id", "string", "swarm id (generated when absent)"),
                        p("agentCount", "integer", "agents to create (default maxAgents)"),
                        arr("capabilities", "capabilities of the created agents")), List.of(),
                a -> node.call("POST", "/api/v1/swarms", pick(a, "topology", "maxAgents", "strategy", "id", "agentCount", "capabilities"))));
        t.add(tool("swarm_status", "A swarm's agents: node, state, load, capabilities, restarts.",
                props(p("swarmId", "string", "swarm id")), List.of("swarmId"),
                a -> node.call("GET", swarm(a), null)));
        t.add(tool("swarm_monitor", "Measured health of a swarm now: connectivity, round trip, throughput, task latency, load distribution.",
                props(p("swarmId", "string", "swarm id"), p("metrics", "string", "comma-separated sections to keep: network, throughput, load, consensus")),
                List.of("swarmId"), a -> keep(node.call("GET", swarm(a) + "/report", null), str(a, "metrics"))));
        t.add(tool("agent_list", "The agents of a swarm with their node, state, capabilities, capacity and load.",
                props(p("swarmId", "string", "swarm id")), List.of("swarmId"),
                a -> agentsOf(node.call("GET", swarm(a), null))));
        t.add(tool("task_submit", "Submit one task: executor (sleep | shell | http | external), optional id, requiredCapabilities, payload, "
                        + "priority 0-9, strategy, assignTo.",
                props(p("swarmId", "string", "swarm id"), p("executor", "string", "sleep | shell | http | external"),
                        p("id", "string", "task id, for idempotent submission"), arr("requiredCapabilities", "what the agent must be able to do"),
                        p("payload", "object", "executor input"), p("priority", "integer", "0-9"), p("strategy", "string", "assignment strategy"),
                        p("assignTo", "string", "agent that must take it")), List.of("swarmId", "executor"),
                a -> node.call("POST", swarm(a) + "/tasks",
                        pick(a, "executor", "id", "requiredCapabilities", "payload", "priority", "strategy", "assignTo"))));
        t.add(tool("task_orchestrate", "Submit several tasks at once; each is accepted or refused on its own.",
                props(p("swarmId", "string", "swarm id"), p("tasks", "array", "tasks, each like task_submit's arguments")),
                List.of("swarmId", "tasks"), a -> node.call("POST", swarm(a) + "/tasks", Map.of("tasks", a.get("tasks")))));
        t.add(tool("task_status", "A task: state, agent, attempt, executions, progress, result.",
                props(p("swarmId", "string", "swarm id"), p("taskId", "string", "task id")), List.of("swarmId", "taskId"),
                a -> node.call("GET", swarm(a) + "/tasks/" + seg(a, "taskId"), null)));
        t.add(tool("task_claim", "As an external agent: take the next external task queued for agentId (empty result if none).",
                props(p("swarmId", "string", "swarm id"), p("agentId", "string", "the agent claiming")), List.of("swarmId", "agentId"),
                a -> node.call("POST", swarm(a) + "/agents/" + seg(a, "agentId") + "/claim", null)));
        t.add(tool("task_complete", "As an external agent: complete (or, with failed=true, fail) the attempt it claimed.",
                props(p("swarmId", "string", "swarm id"), p("taskId", "string", "task id"), p("agentId", "string", "the agent"),
                        p("attempt", "integer", "attempt number from the claim"), p("output", "object", "result"),
                        p("failed", "boolean", "report a failure instead"), p("error", "string", "failure reason")),
                List.of("swarmId", "taskId", "agentId", "attempt"),
                a -> node.call("POST", swarm(a) + "/tasks/" + seg(a, "taskId") + (Boolean.TRUE.equals(a.get("failed")) ? "/fail" : "/complete"),
                        pick(a, "agentId", "attempt", "output", "error"))));
        t.add(tool("memory_usage", "The swarm's shared memory (Raft-replicated, linearizable): action store | retrieve | list | delete | search, "
                        + "namespace, key, value (any JSON), ttl (seconds), pattern (search).",
                props(p("swarmId", "string", "swarm id"), p("action", "string", "store | retrieve | list | delete | search"),
                        p("namespace", "string", "namespace"), p("key", "string", "key (or prefix for list)"), p("value", "object", "value to store"),
                        p("ttl", "integer", "seconds to live"), p("pattern", "string", "glob or substring for search")),
                List.of("swarmId", "action"), this::memory));
        t.add(tool("daa_consensus", "Byzantine-tolerant decisions (pBFT): action propose (proposal, threshold, deadlineSeconds) | vote "
                        + "(proposalId, agentId, vote approve|reject) | status (proposalId).",
                props(p("swarmId", "string", "swarm id"), p("action", "string", "propose | vote | status"), p("proposal", "object", "the proposal"),
                        p("threshold", "number", "approval share, default 0.67"), p("deadlineSeconds", "integer", "time to decide"),
                        p("proposalId", "string", "proposal id"), p("agentId", "string", "voting agent"), p("vote", "string", "approve | reject")),
                List.of("swarmId", "action"), this::consensus));
        t.add(tool("daa_communication", "Send a message (any JSON) from an agent or client to an agent of the swarm, or to all with to=\"all\". "
                        + "An unknown receiver is an error.",
                props(p("swarmId", "string", "swarm id"), p("from", "string", "sender"), p("to", "string", "agent id or all"),
                        p("message", "object", "the message")), List.of("swarmId", "from", "to", "message"),
                a -> node.call("POST", swarm(a) + "/messages", pick(a, "from", "to", "message"))));
        t.add(tool("daa_fault_tolerance", "Inspect an agent (strategy heartbeat_monitor: its state, node, restarts, load) or recover it "
                        + "(failover_recovery: every unfinished task it holds is assigned again now).",
                props(p("swarmId", "string", "swarm id"), p("agentId", "string", "agent id"),
                        p("strategy", "string", "heartbeat_monitor | failover_recovery")), List.of("swarmId", "agentId", "strategy"),
                this::faultTolerance));
        t.add(tool("topology_optimize", "Re-plan the swarm's overlay links over its live agents (mesh: minLinks-maxLinks links per "
                        + "agent, default the configured 3-5; two disjoint paths between any two). Answers the links before and after "
                        + "with their connectivity (degrees, connected, 2-vertex-connected, cut vertices).",
                props(p("swarmId", "string", "swarm id"), p("minLinks", "integer", "least links per agent (2-20)"),
                        p("maxLinks", "integer", "most links per agent (minLinks-20)")), List.of("swarmId"),
                a -> node.call("POST", swarm(a) + "/topology/optimize", pick(a, "minLinks", "maxLinks"))));
        t.add(tool("performance_report", "The swarm's measured performance report: format summary | detailed | json; timeframe all (the "
                        + "whole history, the default) or the last 1m, 5m, 1h, 24h, ... (<n>s|m|h|d, at most 30d): throughput, latency, "
                        + "steals and migrations are measured over it; network and load are measured now; consensus latency, "
                        + "participation and view changes only for 'all' (null for a window).",
                props(p("swarmId", "string", "swarm id"), p("format", "string", "summary | detailed | json"),
                        p("timeframe", "string", "all | 1m | 5m | 1h | 24h | <n>s|m|h|d")), List.of("swarmId"), this::report));
        return t;
    }

    // ---- handlers that need more than one call

    private NodeClient.Answer memory(Map<String, Object> a) throws Exception {
        String action = str(a, "action");
        String ns = a.containsKey("namespace") ? NodeClient.segment(str(a, "namespace")) : "default";
        String base = swarm(a) + "/memory/";
        return switch (action == null ? "" : action) {
            case "store" -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("value", a.get("value"));
                if (a.get("ttl") != null) {
                    body.put("ttlSeconds", a.get("ttl"));
                }
                yield node.call("PUT", base + ns + "/" + seg(a, "key"), body);
            }
            case "retrieve" -> node.call("GET", base + ns + "/" + seg(a, "key"), null);
            case "delete" -> node.call("DELETE", base + ns + "/" + seg(a, "key"), null);
            case "list" -> node.call("GET", base + ns + (a.get("key") == null ? "" : "?prefix=" + seg(a, "key")), null);
            case "search" -> node.call("GET", swarm(a) + "/memory?search=" + seg(a, "pattern")
                    + (a.containsKey("namespace") ? "&namespace=" + ns : ""), null);
            default -> refuse("action must be store, retrieve, list, delete or search");
        };
    }

    private NodeClient.Answer consensus(Map<String, Object> a) throws Exception {
        String action = str(a, "action");
        return switch (action == null ? "" : action) {
            case "propose" -> node.call("POST", swarm(a) + "/proposals", pick(a, "proposal", "threshold", "deadlineSeconds"));
            case "vote" -> node.call("POST", swarm(a) + "/proposals/" + seg(a, "proposalId") + "/votes",
                    Map.of("agentId", a.getOrDefault("agentId", ""), "choice", a.getOrDefault("vote", "")));
            case "status" -> node.call("GET", swarm(a) + "/proposals/" + seg(a, "proposalId"), null);
            default -> refuse("action must be propose, vote or status");
        };
    }

    private NodeClient.Answer faultTolerance(Map<String, Object> a) throws Exception {
        String strategy = str(a, "strategy");
        if ("failover_recovery".equals(strategy)) {
            return node.call("POST", swarm(a) + "/agents/" + seg(a, "agentId") + "/recover",
                    Map.of("reason", "failover_recovery requested over MCP"));
        }
        if (!"heartbeat_monitor".equals(strategy)) {
            return refuse("strategy must be heartbeat_monitor or failover_recovery");
        }
        NodeClient.Answer status = node.call("GET", swarm(a), null);
        if (!status.ok()) {
            return status;
        }
        for (JsonNode agent : status.body().path("agents")) {
            if (agent.path("id").asText().equals(str(a, "agentId"))) {
                return new NodeClient.Answer(200, agent);
            }
        }
        return new NodeClient.Answer(404, JSON.createObjectNode().put("detail", "swarm has no agent '" + str(a, "agentId") + "'").put("field", "agentId"));
    }

    private NodeClient.Answer report(Map<String, Object> a) throws Exception {
        ReportWindow window;
        try {
            window = ReportWindow.parse("timeframe", str(a, "timeframe"));
        } catch (InvalidInput e) {
            return refuse(e.getMessage());
        }
        String format = str(a, "format") == null ? "summary" : str(a, "format");
        String query = "&window=" + NodeClient.segment(window.label());
        return switch (format) {
            case "summary" -> node.call("GET", swarm(a) + "/report?format=summary" + query, null);
            case "json", "detailed" -> node.call("GET", swarm(a) + "/report?format=json" + query, null);
            default -> refuse("format must be summary, detailed or json");
        };
    }

    private static NodeClient.Answer agentsOf(NodeClient.Answer status) {
        return status.ok() ? new NodeClient.Answer(200, status.body().path("agents")) : status;
    }

    private static NodeClient.Answer keep(NodeClient.Answer report, String sections) {
        if (!report.ok() || sections == null || sections.isBlank()) {
            return report;
        }
        var out = JSON.createObjectNode();
        for (String s : sections.split(",")) {
            if (report.body().has(s.trim())) {
                out.set(s.trim(), report.body().get(s.trim()));
            }
        }
        return new NodeClient.Answer(200, out);
    }

    private static NodeClient.Answer refuse(String detail) {
        return new NodeClient.Answer(400, JSON.createObjectNode().put("detail", detail));
    }

    // ---- plumbing

    @FunctionalInterface
    interface Call {
        NodeClient.Answer apply(Map<String, Object> arguments) throws Exception;
    }

    private SyncToolSpecification tool(String name, String description, Map<String, Object> properties, List<String> required, Call call) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", required);
        McpSchema.Tool tool;
        try {
            tool = McpSchema.Tool.builder().name(name).description(description).inputSchema(mapper, JSON.writeValueAsString(schema)).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
            for (String r : required) {
                if (args.get(r) == null) {
                    return error(name + ": missing required argument '" + r + "'");
                }
            }
            try {
                NodeClient.Answer answer = call.apply(args);
                if (!answer.ok()) {
                    return error(name + ": " + answer.problem());
                }
                String text = answer.body().isTextual() ? answer.body().asText()
                        : answer.body().isNull() ? "{}" : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer.body());
                return McpSchema.CallToolResult.builder().addTextContent(text).isError(false).build();
            } catch (IllegalArgumentException e) {
                return error(name + ": " + e.getMessage());
            } catch (Exception e) {
                return error(name + ": " + e.getMessage());
            }
        }).build();
    }

    private static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    private static Map<String, Object> props(Map.Entry<String, Object>... entries) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : entries) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    private static Map.Entry<String, Object> p(String name, String type, String description) {
        return Map.entry(name, Map.of("type", type, "description", description));
    }

    private static Map.Entry<String, Object> arr(String name, String description) {
        return Map.entry(name, Map.of("type", "array", "items", Map.of("type", "string"), "description", description));
    }

    private static Map<String, Object> pick(Map<String, Object> args, String... keys) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : keys) {
            if (args.get(k) != null) {
                out.put(k, args.get(k));
            }
        }
        return out;
    }

    private static String str(Map<String, Object> a, String key) {
        Object v = a.get(key);
        return v == null ? null : v.toString();
    }

    private static String seg(Map<String, Object> a, String key) {
        String v = str(a, key);
        if (v == null) {
            throw new IllegalArgumentException("missing argument '" + key + "'");
        }
        return NodeClient.segment(v);
    }

    private static String swarm(Map<String, Object> a) {
        return "/api/v1/swarms/" + seg(a, "swarmId");
    }
}

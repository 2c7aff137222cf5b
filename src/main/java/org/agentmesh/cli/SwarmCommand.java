package org.agentmesh.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-mesh swarm init|status|list|shutdown} against a running node. */
@Command(name = "swarm", mixinStandardHelpOptions = true, description = "Create, inspect and shut down swarms on a running node.",
        subcommands = {SwarmCommand.Init.class, SwarmCommand.Status.class, SwarmCommand.ListAll.class, SwarmCommand.Shutdown.class})
final class SwarmCommand {

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create a swarm (like the seed's swarm_init mesh --maxAgents=12).")
    static final class Init extends ClientCommand {

        @Parameters(index = "0", defaultValue = "mesh", description = "Topology. Default: mesh")
        String topology;

        @Option(names = "--id", description = "Swarm id (generated when absent)")
        String id;

        @Option(names = {"--max-agents", "--maxAgents"}, description = "Most agents (1-1000). Default: the node's (8)")
        Integer maxAgents;

        @Option(names = "--strategy", description = "capability | auction | dht | round-robin | random")
        String strategy;

        @Option(names = "--agents", description = "How many agents to create. Default: maxAgents")
        Integer agents;

        @Option(names = "--capabilities", split = ",", description = "Capabilities of the created agents, e.g. code,test")
        List<String> capabilities;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("topology", topology);
            put(body, "id", id);
            put(body, "maxAgents", maxAgents);
            put(body, "strategy", strategy);
            put(body, "agentCount", agents);
            put(body, "capabilities", capabilities);
            return send("POST", "/api/v1/swarms", body);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A swarm's agents: node, state, load, capabilities.")
    static final class Status extends ClientCommand {

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Override
        public Integer call() throws Exception {
            return send("GET", swarmPath(swarm), null);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Ids of every active swarm.")
    static final class ListAll extends ClientCommand {

        @Override
        public Integer call() throws Exception {
            return send("GET", "/api/v1/swarms", null);
        }
    }

    @Command(name = "shutdown", mixinStandardHelpOptions = true, description = "Gracefully shut a swarm down (its agents retire).")
    static final class Shutdown extends ClientCommand {

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Override
        public Integer call() throws Exception {
            return send("DELETE", swarmPath(swarm), null);
        }
    }

    static void put(Map<String, Object> body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }
}

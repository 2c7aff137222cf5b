package org.agentmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agentmesh.client.NodeClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-mesh task submit|status|list|cancel} against a running node. */
@Command(name = "task", mixinStandardHelpOptions = true, description = "Submit, inspect, list and cancel tasks of a swarm.",
        subcommands = {TaskCommand.Submit.class, TaskCommand.Status.class, TaskCommand.ListTasks.class, TaskCommand.Cancel.class})
final class TaskCommand {

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a task to a swarm.")
    static final class Submit extends ClientCommand {

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Option(names = "--executor", required = true, description = "sleep | shell | http | external")
        String executor;

        @Option(names = "--id", description = "Task id (for idempotent submission; generated when absent)")
        String id;

        @Option(names = "--caps", split = ",", description = "Required capabilities, e.g. code,test")
        List<String> capabilities;

        @Option(names = "--payload", description = "Executor payload as JSON, e.g. '{\"millis\": 500}'")
        String payload;

        @Option(names = "--priority", description = "0-9. Default: 5")
        Integer priority;

        @Option(names = "--cost", description = "Estimated cost in ms")
        Long cost;

        @Option(names = "--strategy", description = "Assignment strategy for this task")
        String strategy;

        @Option(names = "--assign-to", description = "Agent that must take it")
        String assignTo;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("executor", executor);
            SwarmCommand.put(body, "id", id);
            SwarmCommand.put(body, "requiredCapabilities", capabilities);
            SwarmCommand.put(body, "priority", priority);
            SwarmCommand.put(body, "estimatedCostMillis", cost);
            SwarmCommand.put(body, "strategy", strategy);
            SwarmCommand.put(body, "assignTo", assignTo);
            if (payload != null) {
                JsonNode p;
                try {
                    p = MeshClient.JSON.readTree(payload);
                } catch (Exception e) {
                    throw badUsage("--payload is not JSON: " + e.getMessage().split("\n")[0]);
                }
                body.put("payload", p);
            }
            return send("POST", swarmPath(swarm) + "/tasks", body);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A task: state, agent, attempt, result.")
    static final class Status extends ClientCommand {

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Parameters(index = "1", description = "Task id")
        String task;

        @Override
        public Integer call() throws Exception {
            return send("GET", swarmPath(swarm) + "/tasks/" + NodeClient.segment(task), null);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Tasks of a swarm, oldest first.")
    static final class ListTasks extends ClientCommand {

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Option(names = "--state", description = "pending | assigned | running | completed | failed | cancelled")
        String state;

        @Option(names = "--limit", defaultValue = "100", description = "At most this many. Default: 100")
        int limit;

        @Override
        public Integer call() throws Exception {
            String query = "?limit=" + limit + (state == null ? "" : "&state=" + NodeClient.segment(state));
            return send("GET", swarmPath(swarm) + "/tasks" + query, null);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel an unfinished task.")
    static final class Cancel extends ClientCommand {

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Parameters(index = "1", description = "Task id")
        String task;

        @Override
        public Integer call() throws Exception {
            return send("DELETE", swarmPath(swarm) + "/tasks/" + NodeClient.segment(task), null);
        }
    }
}

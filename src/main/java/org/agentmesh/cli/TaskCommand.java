package org.agentmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.agentmesh.client.NodeClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent-mesh task submit|status|list|cancel} against a running node. */
@Command(name = "task", mixinStandardHelpOptions = true, description = "Submit, inspect, list and cancel tasks of a swarm.",
        subcommands = {TaskCommand.Submit.class, TaskCommand.Status.class, TaskCommand.ListTasks.class, TaskCommand.Cancel.class})
final class TaskCommand {

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a task to a swarm.")
    static final class Submit implements Callable<Integer> {
        @Mixin MeshClient client;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

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
                    throw new CommandLine.ParameterException(spec.commandLine(), "--payload is not JSON: " + e.getMessage().split("\n")[0]);
                }
                body.put("payload", p);
            }
            return MeshClient.report(client.call("POST", "/api/v1/swarms/" + NodeClient.segment(swarm) + "/tasks", body),
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A task: state, agent, attempt, result.")
    static final class Status implements Callable<Integer> {
        @Mixin MeshClient client;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Parameters(index = "1", description = "Task id")
        String task;

        @Override
        public Integer call() throws Exception {
            return MeshClient.report(client.call("GET", "/api/v1/swarms/" + NodeClient.segment(swarm) + "/tasks/" + NodeClient.segment(task), null),
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Tasks of a swarm, oldest first.")
    static final class ListTasks implements Callable<Integer> {
        @Mixin MeshClient client;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Option(names = "--state", description = "pending | assigned | running | completed | failed | cancelled")
        String state;

        @Option(names = "--limit", defaultValue = "100", description = "At most this many. Default: 100")
        int limit;

        @Override
        public Integer call() throws Exception {
            String query = "?limit=" + limit + (state == null ? "" : "&state=" + NodeClient.segment(state));
            return MeshClient.report(client.call("GET", "/api/v1/swarms/" + NodeClient.segment(swarm) + "/tasks" + query, null),
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel an unfinished task.")
    static final class Cancel implements Callable<Integer> {
        @Mixin MeshClient client;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Swarm id")
        String swarm;

        @Parameters(index = "1", description = "Task id")
        String task;

        @Override
        public Integer call() throws Exception {
            return MeshClient.report(client.call("DELETE", "/api/v1/swarms/" + NodeClient.segment(swarm) + "/tasks/" + NodeClient.segment(task), null),
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }
}

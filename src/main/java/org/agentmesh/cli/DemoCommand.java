package org.agentmesh.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.agentmesh.node.MeshNode;
import org.agentmesh.swarm.SwarmAlreadyExists;
import org.agentmesh.swarm.SwarmRequest;
import org.agentmesh.swarm.SwarmStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts a node on the embedded default, creates a 12-agent mesh swarm, prints its status and serves HTTP until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {

    static final String SWARM = "demo";

    /** Twelve agents with a spread of capabilities, as a small software team might be. */
    static final List<SwarmRequest.AgentRequest> AGENTS = List.of(
            agent("architect", 2, "design", "review"),
            agent("coder-1", 4, "code", "test"),
            agent("coder-2", 4, "code", "test"),
            agent("coder-3", 4, "code", "refactor"),
            agent("tester-1", 3, "test", "qa"),
            agent("tester-2", 3, "test", "qa"),
            agent("reviewer", 2, "review", "code"),
            agent("researcher-1", 2, "research", "analysis"),
            agent("researcher-2", 2, "research", "writing"),
            agent("ops-1", 3, "deploy", "ops"),
            agent("ops-2", 3, "deploy", "monitoring"),
            agent("writer", 2, "writing", "docs"));

    private static SwarmRequest.AgentRequest agent(String id, int capacity, String... caps) {
        return new SwarmRequest.AgentRequest(id, List.of(caps), capacity);
    }

    @Mixin
    NodeOptions options;

    @Option(names = "--exit-after", description = "Stop after this many seconds (for scripts). Default: run until Ctrl-C.")
    Integer exitAfter;

    @Option(names = "--tasks", defaultValue = "150", description = "Tasks in the demo workload (0: none). Default: 150")
    int tasks;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (exitAfter != null && exitAfter < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--exit-after must be >= 0");
        }
        if (tasks < 0 || tasks > 100_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tasks must be between 0 and 100000");
        }
        PrintStream out = System.out;
        MeshNode node;
        try {
            node = MeshNode.start(options.settings());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            out.println("Agent Mesh demo: node " + node.system().address() + ", HTTP " + node.httpBase() + "/api/v1");
            try {
                node.mesh().createSwarm(new SwarmRequest(SWARM, "mesh", 12, "capability", null, null, AGENTS))
                        .toCompletableFuture().join();
                out.println("created swarm '" + SWARM + "' (mesh, 12 agents)");
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof SwarmAlreadyExists)) {
                    throw e;
                }
                out.println("swarm '" + SWARM + "' recovered from the journal in " + node.system().settings().config().getString("agent-mesh.data-dir"));
            }
            SwarmStatus status = awaitActive(node, 60_000);
            out.print(StatusTable.render(status));
            out.println();
            if (tasks > 0) {
                DemoWorkload.run(node.mesh(), SWARM, tasks, out);
                out.println();
            }
            out.println("Try: curl -s " + node.httpBase() + "/api/v1/swarms/" + SWARM);
            if (exitAfter != null) {
                Thread.sleep(exitAfter * 1000L);
            } else {
                out.println("Serving until Ctrl-C.");
                node.system().getWhenTerminated().toCompletableFuture().join();
            }
        } finally {
            node.close();
        }
        return 0;
    }

    /** Polls the swarm until every agent is active (a freshly started node needs a moment for sharding to settle). */
    static SwarmStatus awaitActive(MeshNode node, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        SwarmStatus status = node.mesh().status(SWARM).toCompletableFuture().join();
        while (status.active() < status.agentCount() && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            status = node.mesh().status(SWARM).toCompletableFuture().join();
        }
        return status;
    }
}

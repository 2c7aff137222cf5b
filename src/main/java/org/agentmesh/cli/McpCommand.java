package org.agentmesh.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.agentmesh.client.NodeClient;
import org.agentmesh.mcp.MeshMcpServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = "Serves the mesh as Model Context Protocol tools over stdio, for AI agents; every tool calls the node at --node.")
final class McpCommand implements Callable<Integer> {

    @Option(names = "--node", defaultValue = "${env:AGENT_MESH_NODE:-http://127.0.0.1:8080}",
            description = "Base URL of a node's HTTP API. Default: $AGENT_MESH_NODE or http://127.0.0.1:8080")
    String node;

    @Option(names = "--token", defaultValue = "${env:AGENT_MESH_HTTP_TOKEN}", description = "Bearer token. Default: $AGENT_MESH_HTTP_TOKEN")
    String token;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        NodeClient client;
        try {
            client = new NodeClient(node, token);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--node: " + e.getMessage());
        }
        var server = new MeshMcpServer(client).start(System.in, System.out);
        // stdio belongs to the protocol: the server runs until the client closes stdin and the JVM is asked to stop
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.closeGracefully();
            done.countDown();
        }));
        done.await();
        return 0;
    }
}

package org.agentmesh.cli;

import java.util.concurrent.Callable;
import org.agentmesh.node.MeshNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Starts one cluster node and serves the HTTP API until SIGTERM or Ctrl-C (which leave the cluster gracefully).")
final class NodeCommand implements Callable<Integer> {

    @Mixin
    NodeOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        MeshNode node;
        try {
            node = MeshNode.start(options.settings());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        node.system().getWhenTerminated().toCompletableFuture().join();
        return 0;
    }
}

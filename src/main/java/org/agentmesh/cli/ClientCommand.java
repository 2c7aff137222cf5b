package org.agentmesh.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.agentmesh.client.NodeClient;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * What every client subcommand shares: the node options ({@link MeshClient}), and calls to the node whose answer is
 * printed (JSON on stdout, or the problem's one line on stderr) and becomes the exit code (0 done, 1 refused or failed).
 */
abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    MeshClient client;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One call to the node, its answer printed; returns the exit code. */
    int send(String method, String path, Object body) throws IOException, InterruptedException {
        return MeshClient.report(client.call(method, path, body), spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Bad usage, found after parsing: exit 2 with one line (thrown, so nothing is sent). */
    CommandLine.ParameterException badUsage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** {@code /api/v1/swarms/{swarm}} with the id escaped as a path segment. */
    static String swarmPath(String swarm) {
        return "/api/v1/swarms/" + NodeClient.segment(swarm);
    }
}

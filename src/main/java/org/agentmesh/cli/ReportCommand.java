package org.agentmesh.cli;

import java.util.concurrent.Callable;
import org.agentmesh.client.NodeClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true, description = "A swarm's measured performance report (summary or json).")
final class ReportCommand implements Callable<Integer> {
    @Mixin MeshClient client;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Swarm id")
    String swarm;

    @Option(names = "--format", defaultValue = "summary", description = "summary | json. Default: summary")
    String format;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("summary") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be summary or json");
        }
        return MeshClient.report(client.call("GET", "/api/v1/swarms/" + NodeClient.segment(swarm) + "/report?format=" + format, null),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}

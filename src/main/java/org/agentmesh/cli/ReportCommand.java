package org.agentmesh.cli;

import java.util.concurrent.Callable;
import org.agentmesh.client.NodeClient;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.ReportWindow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true, description = "A swarm's measured performance report (summary or json), over its whole history or a recent window.")
final class ReportCommand implements Callable<Integer> {
    @Mixin MeshClient client;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Swarm id")
    String swarm;

    @Option(names = "--format", defaultValue = "summary", description = "summary | json. Default: summary")
    String format;

    @Option(names = "--window", defaultValue = "all",
            description = "History the throughput, latency and moves are measured over: all, or the last <n>s|m|h|d (e.g. 5m). Default: all")
    String window;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("summary") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be summary or json");
        }
        try {
            ReportWindow.parse("--window", window);
        } catch (InvalidInput e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return MeshClient.report(client.call("GET", "/api/v1/swarms/" + NodeClient.segment(swarm) + "/report?format=" + format
                + "&window=" + NodeClient.segment(window), null),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}

package org.agentmesh.cli;

import org.agentmesh.client.NodeClient;
import org.agentmesh.swarm.InvalidInput;
import org.agentmesh.swarm.ReportWindow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true, description = "A swarm's measured performance report (summary or json), over its whole history or a recent window.")
final class ReportCommand extends ClientCommand {

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
            throw badUsage("--format must be summary or json");
        }
        try {
            ReportWindow.parse("--window", window);
        } catch (InvalidInput e) {
            throw badUsage(e.getMessage());
        }
        return send("GET", swarmPath(swarm) + "/report?format=" + format
                + "&window=" + NodeClient.segment(window), null);
    }
}

package org.agentmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import org.agentmesh.client.NodeClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "A live view of a swarm in the terminal: agents with load bars and the measured report, refreshed every --interval.")
final class MonitorCommand extends ClientCommand {

    @Parameters(index = "0", description = "Swarm id")
    String swarm;

    @Option(names = "--interval", defaultValue = "3000", description = "Refresh interval in ms. Default: 3000 (the seed's)")
    long intervalMillis;

    @Option(names = "--count", defaultValue = "0", description = "Stop after this many refreshes (0: until Ctrl-C)")
    int count;

    @Override
    public Integer call() throws Exception {
        if (intervalMillis < 100 || count < 0) {
            throw badUsage("--interval must be >= 100 and --count >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        String path = swarmPath(swarm);
        for (int i = 0; count == 0 || i < count; i++) {
            if (i > 0) {
                Thread.sleep(intervalMillis);
            }
            NodeClient.Answer status = client.call("GET", path, null);
            NodeClient.Answer report = client.call("GET", path + "/report?format=summary", null);
            if (!status.ok()) {
                return MeshClient.report(status, out, spec.commandLine().getErr());
            }
            out.print("\033[H\033[2J"); // clear the screen, cursor home
            out.println(render(status.body()));
            out.println(report.ok() ? report.body().asText() : "report: " + report.problem());
            out.flush();
        }
        return 0;
    }

    static String render(JsonNode s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "swarm %s  %s  %s  agents %d/%d active%n", s.path("id").asText(),
                s.path("topology").asText(), s.path("strategy").asText(), s.path("active").asInt(), s.path("agentCount").asInt()));
        for (JsonNode a : s.path("agents")) {
            double load = a.path("load").asDouble();
            int bar = (int) Math.round(Math.min(1.0, load) * 20);
            b.append(String.format(Locale.ROOT, "  %-16s %-22s %-12s [%s%s] %3.0f%%%n", a.path("id").asText(), a.path("node").asText(),
                    a.path("state").asText(), "#".repeat(bar), ".".repeat(20 - bar), load * 100));
        }
        return b.toString();
    }
}

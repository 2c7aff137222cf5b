package org.agentmesh.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.agentmesh.node.NodeSettings;
import picocli.CommandLine.Option;

/** Options shared by the commands that start a node. */
final class NodeOptions {

    @Option(names = "--port", description = "Cluster (Artery) port; 0 for any free port. Default: 2551.")
    Integer port;

    @Option(names = "--http", description = "HTTP API port; 0 for any free port. Default: 8080.")
    Integer http;

    @Option(names = "--seed", split = ",", description = "Seed node host:port (repeatable). Default: none, the node founds its own mesh.")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--config", description = "A HOCON file layered over the defaults (see config/).")
    Path config;

    @Option(names = "--data", description = "Data directory of the embedded journal. Default: data")
    Path data;

    NodeSettings settings() {
        for (String seed : seeds) {
            if (!seed.matches("[^:\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("--seed must be host:port, was '" + seed + "'");
            }
        }
        if (config != null && !config.toFile().isFile()) {
            throw new IllegalArgumentException("--config: no such file " + config);
        }
        NodeSettings s = NodeSettings.defaults().withSeeds(seeds);
        if (port != null) {
            s = s.withPort(port);
        }
        if (http != null) {
            s = s.withHttpPort(http);
        }
        if (config != null) {
            s = s.withConfigFile(config);
        }
        if (data != null) {
            s = s.withDataDir(data);
        }
        return s;
    }
}

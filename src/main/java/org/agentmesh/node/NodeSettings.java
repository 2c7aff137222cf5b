package org.agentmesh.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a node listens, whom it joins and where it keeps its data, as given on the command line (or by a test).
 * Anything not given comes from the config file, then {@code agent-mesh-node.conf}, then {@code reference.conf}.
 *
 * @param host Artery host (and the interface the cluster binds to)
 * @param port Artery port (0: any free port)
 * @param httpPort HTTP API port (0: any free port; -1: no HTTP server)
 * @param seeds seed nodes as {@code host:port}; empty means "join myself" unless the config file names seeds
 * @param dataDir directory of the embedded journal
 * @param configFile a HOCON file layered over the defaults
 * @param overrides any further config keys, strongest of all (tests use this)
 */
public record NodeSettings(
        Optional<String> host,
        Optional<Integer> port,
        Optional<Integer> httpPort,
        List<String> seeds,
        Optional<Path> dataDir,
        Optional<Path> configFile,
        Map<String, Object> overrides) {

    public static final String SYSTEM_NAME = "agent-mesh";

    public static NodeSettings defaults() {
        return new NodeSettings(Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), Map.of());
    }

    public NodeSettings withPort(int p) {
        return new NodeSettings(host, Optional.of(p), httpPort, seeds, dataDir, configFile, overrides);
    }

    public NodeSettings withHttpPort(int p) {
        return new NodeSettings(host, port, Optional.of(p), seeds, dataDir, configFile, overrides);
    }

    public NodeSettings withSeeds(List<String> s) {
        return new NodeSettings(host, port, httpPort, List.copyOf(s), dataDir, configFile, overrides);
    }

    public NodeSettings withDataDir(Path d) {
        return new NodeSettings(host, port, httpPort, seeds, Optional.of(d), configFile, overrides);
    }

    public NodeSettings withConfigFile(Path f) {
        return new NodeSettings(host, port, httpPort, seeds, dataDir, Optional.of(f), overrides);
    }

    public NodeSettings withOverrides(Map<String, Object> more) {
        Map<String, Object> all = new HashMap<>(overrides);
        all.putAll(more);
        return new NodeSettings(host, port, httpPort, seeds, dataDir, configFile, Map.copyOf(all));
    }

    /** The node's whole configuration, resolved. */
    public Config toConfig() {
        Map<String, Object> flags = new HashMap<>();
        host.ifPresent(h -> flags.put("pekko.remote.artery.canonical.hostname", h));
        port.ifPresent(p -> flags.put("pekko.remote.artery.canonical.port", p));
        httpPort.ifPresent(p -> flags.put("agent-mesh.http.port", p));
        // H2 refuses paths implicitly relative to the working directory
        dataDir.ifPresent(d -> flags.put("agent-mesh.data-dir", d.toAbsolutePath().normalize().toString()));
        if (!seeds.isEmpty()) {
            flags.put("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(
                    seeds.stream().map(s -> "pekko://" + SYSTEM_NAME + "@" + s).toList()));
        }
        Config file = configFile.map(f -> ConfigFactory.parseFile(f.toFile())).orElse(ConfigFactory.empty());
        Config base = ConfigFactory.defaultOverrides()
                .withFallback(ConfigFactory.parseMap(overrides))
                .withFallback(ConfigFactory.parseMap(flags))
                .withFallback(file)
                .withFallback(ConfigFactory.parseResources("agent-mesh-node.conf"))
                .withFallback(ConfigFactory.defaultReference());
        if (dataDir.isEmpty()) {
            String dir = base.getString("agent-mesh.data-dir");
            base = ConfigFactory.parseMap(Map.of("agent-mesh.data-dir", Path.of(dir).toAbsolutePath().normalize().toString()))
                    .withFallback(base);
        }
        return base.resolve();
    }
}

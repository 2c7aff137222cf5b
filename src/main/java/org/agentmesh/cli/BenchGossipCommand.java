package org.agentmesh.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.agentmesh.bench.GossipClusterBench;
import org.agentmesh.bench.GossipSimulationBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench gossip}: (a) gossip in simulation at several swarm sizes, (b) on a real in-JVM cluster, the time for one
 * update to reach every agent by our gossip vs Pekko Distributed Data at the same interval. One table each, one JSON.
 */
@Command(name = "gossip", mixinStandardHelpOptions = true,
        description = "Gossip convergence in simulation (rounds, bytes) and on a real cluster vs Pekko Distributed Data.")
final class BenchGossipCommand implements Callable<Integer> {

    @Option(names = "--sizes", split = ",", defaultValue = "100,1000,10000",
            description = "simulated swarm sizes (default ${DEFAULT-VALUE}); an empty list skips the simulation")
    List<Integer> sizes = new ArrayList<>();

    @Option(names = "--seeds", defaultValue = "5", description = "simulation runs per size below 10,000 (default ${DEFAULT-VALUE}); 1 at 10,000 and above")
    int seeds;

    @Option(names = "--nodes", defaultValue = "3", description = "cluster nodes of the real-cluster part; 0 skips it (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--agents", defaultValue = "24", description = "agents of the real-cluster swarm (default ${DEFAULT-VALUE})")
    int agents;

    @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class,
            description = "gossip interval of both systems on the cluster (default ${DEFAULT-VALUE})")
    Duration interval;

    @Option(names = "--updates", defaultValue = "9", description = "updates measured per system on the cluster (default ${DEFAULT-VALUE})")
    int updates;

    @Option(names = "--out", defaultValue = "bench-results/gossip.json", description = "JSON output (default ${DEFAULT-VALUE})")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (seeds < 1 || updates < 1 || agents < 2 || nodes < 0 || sizes.stream().anyMatch(n -> n < 4)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "need --seeds >= 1, --updates >= 1, --agents >= 2, --nodes >= 0 and sizes >= 4");
        }
        Map<String, Object> json = new LinkedHashMap<>();
        List<GossipSimulationBench.Row> sim = new ArrayList<>();
        for (int n : sizes) {
            System.out.println("simulating " + n + " peers ...");
            sim.addAll(GossipSimulationBench.run(new int[] {n}, n >= 10_000 ? 1 : seeds));
        }
        if (!sim.isEmpty()) {
            System.out.println("\nGossip in simulation (2 s rounds, fanout 3, no loss, anti-entropy only): rounds for one update to reach every peer");
            System.out.print(GossipSimulationBench.table(sim));
            json.put("simulation", sim);
        }
        if (nodes > 0) {
            System.out.printf("%nstarting a %d-node cluster with %d agents, interval %d ms ...%n", nodes, agents, interval.toMillis());
            List<GossipClusterBench.Row> cluster = GossipClusterBench.run(nodes, agents, interval, updates);
            System.out.println("\nReal in-JVM cluster: time for one update to reach every agent, median of " + updates + " updates");
            System.out.print(GossipClusterBench.table(cluster));
            json.put("cluster", cluster);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
        System.out.println("wrote " + out);
        return 0;
    }

    /** Parses HOCON-style durations: 500ms, 1s, 2 s. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return com.typesafe.config.ConfigFactory.parseString("d = " + value).getDuration("d");
        }
    }
}

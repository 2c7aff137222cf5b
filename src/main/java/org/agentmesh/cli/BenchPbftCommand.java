package org.agentmesh.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.agentmesh.bench.PbftBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agent-mesh bench pbft}: pBFT (n = 4, 7; Ed25519) against Raft (n = 3) in one JVM, same run. */
@Command(name = "pbft", mixinStandardHelpOptions = true,
        description = "pBFT n=4 and n=7 (batching, real Ed25519) next to Raft n=3: requests/s, p50/p99, signature cost.")
final class BenchPbftCommand implements Callable<Integer> {

    @Option(names = "--clients", defaultValue = "32", description = "closed-loop clients (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per configuration (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--out", defaultValue = "bench-results/pbft.json", description = "JSON output (default ${DEFAULT-VALUE})")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || seconds <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--clients and --seconds must be positive");
        }
        PbftBench.Report report = PbftBench.run(clients, seconds, out);
        System.out.println(PbftBench.table(report));
        System.out.println("wrote " + out);
        return 0;
    }
}

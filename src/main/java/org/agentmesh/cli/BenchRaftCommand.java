package org.agentmesh.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.agentmesh.bench.RaftBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/agent-mesh bench raft}. */
final class BenchRaftCommand {

    private BenchRaftCommand() {}

    @Command(name = "raft", mixinStandardHelpOptions = true,
            description = "Commits/s and p50/p99 latency of a 3-voter Raft group, ours next to Apache Ratis 3.2.2, "
                    + "with 1, 16 and 128 clients, the durable log on and off.")
    static final class Raft implements Callable<Integer> {

        @Option(names = "--seconds", defaultValue = "8", description = "Measured seconds per cell. Default: 8")
        double seconds;

        @Option(names = "--warmup", defaultValue = "2", description = "Warm-up seconds per cell. Default: 2")
        double warmup;

        @Option(names = "--cluster-warmup", defaultValue = "12",
                description = "Least unmeasured seconds each system's cluster runs every client count before its first "
                        + "cell; then it goes on until the JIT is quiet (the same rule for both systems). Default: 12")
        double clusterWarmup;

        @Option(names = "--cluster-warmup-max", defaultValue = "300",
                description = "Most seconds of that warm-up, quiet JIT or not; 0: no warm-up. Default: 300")
        double clusterWarmupMax;

        @Option(names = "--clients", split = ",", defaultValue = "1,16,128", description = "Concurrent clients. Default: 1,16,128")
        List<Integer> clients;

        @Option(names = "--durable", split = ",", arity = "1", defaultValue = "true,false", description = "Durable log modes. Default: true,false")
        List<Boolean> durable;

        @Option(names = "--systems", split = ",", defaultValue = "agent-mesh,ratis",
                description = "Systems to measure (agent-mesh, ratis); one alone for profiling. Default: agent-mesh,ratis")
        List<String> systems;

        @Option(names = "--payload", defaultValue = "128", description = "Payload bytes per write. Default: 128")
        int payload;

        @Option(names = "--fork", arity = "1", defaultValue = "true",
                description = "Run each system's phase (one durability mode) in a JVM of its own, so none is measured in "
                        + "the heap and JIT profiles of the phases before it. Default: true")
        boolean fork;

        @Option(names = "--out", defaultValue = "bench-results/raft.json", description = "JSON output. Default: bench-results/raft.json")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (seconds <= 0 || warmup < 0 || clusterWarmup < 0 || clusterWarmupMax < 0 || payload < 1 || clients.stream().anyMatch(c -> c < 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--seconds and --payload must be positive, --warmup, --cluster-warmup and --cluster-warmup-max not negative, "
                                + "--clients at least 1");
            }
            RaftBench.Options options;
            try {
                options = new RaftBench.Options(clients, durable, systems, seconds, warmup, clusterWarmup, clusterWarmupMax, payload);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--systems: " + e.getMessage());
            }
            RaftBench.Result r = fork ? RaftBench.runForked(options, System.out) : RaftBench.run(options, System.out);
            System.out.println(RaftBench.table(r));
            System.out.println("wrote " + RaftBench.writeJson(r, out));
            return 0;
        }
    }
}

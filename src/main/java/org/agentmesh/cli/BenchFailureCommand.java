package org.agentmesh.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.agentmesh.bench.FailureBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agent-mesh bench failure}: SIGKILL one of three node JVMs; detection and re-dispatch times. */
@Command(name = "failure", mixinStandardHelpOptions = true,
        description = "Time from SIGKILL of a node to Pekko's unreachability, our confirmed failure and the first re-dispatched task.")
final class BenchFailureCommand implements Callable<Integer> {

    @Option(names = "--runs", defaultValue = "3", description = "Repetitions, a fresh 3-node cluster each (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--profile", defaultValue = "fast",
            description = "Detector tuning: fast (ours 500 ms/2 s, Pekko 200 ms/1 s) or defaults (as shipped). Default ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--out", defaultValue = "bench-results/failure.json", description = "JSON output (default ${DEFAULT-VALUE}).")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--runs must be at least 1");
        }
        FailureBench.Profile p;
        try {
            p = FailureBench.Profile.valueOf(profile.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--profile must be fast or defaults, was '" + profile + "'");
        }
        return new FailureBench(FailureBench.defaultJar()).runAndReport(runs, p, out) ? 0 : 1;
    }
}

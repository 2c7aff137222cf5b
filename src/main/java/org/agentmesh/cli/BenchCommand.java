package org.agentmesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agent-mesh bench <name>}: benchmark programs; each prints a table and writes JSON under bench-results/. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark: prints a table, writes bench-results/<name>.json.",
        subcommands = {BenchFailureCommand.class, CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark, e.g. 'bench failure'");
    }
}

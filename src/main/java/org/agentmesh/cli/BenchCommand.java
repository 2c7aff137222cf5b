package org.agentmesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code agent-mesh bench <protocol>}: benchmark programs that print a table and write JSON under
 * {@code bench-results/}. Each benchmark is its own subcommand class.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark: prints a table, writes JSON under bench-results/.",
        subcommands = {BenchPbftCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark, e.g. 'bench pbft'");
    }
}

package org.agentmesh.cli;

import picocli.CommandLine.Command;

/** {@code bin/agent-mesh bench ...}: benchmark programs; each prints a table and writes JSON under bench-results/. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Runs a benchmark: prints a table and writes JSON under bench-results/.",
        subcommands = {BenchGossipCommand.class})
public final class BenchCommand {
}

package org.agentmesh.cli;

import picocli.CommandLine.Command;

/** {@code bin/agent-mesh bench ...}: benchmark programs; each prints a table and writes JSON under bench-results/. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints a table (with its peer measured in the same run) and writes JSON to bench-results/.",
        subcommands = {BenchTasksCommand.class, BenchGossipCommand.class, BenchRaftCommand.Raft.class, BenchPbftCommand.class,
                BenchFailureCommand.class})
final class BenchCommand {}

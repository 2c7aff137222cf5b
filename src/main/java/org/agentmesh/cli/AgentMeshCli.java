package org.agentmesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/agent-mesh}: one entry for every command. Exit codes: 0 success, 1 a failed operation, 2 bad usage
 * (with one line on stderr).
 */
@Command(name = "agent-mesh",
        mixinStandardHelpOptions = true,
        versionProvider = AgentMeshCli.Version.class,
        description = "A peer-to-peer coordination mesh for swarms of agents, on Apache Pekko.",
        subcommands = {NodeCommand.class, DemoCommand.class, CertsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class AgentMeshCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new AgentMeshCli());
        cli.setParameterExceptionHandler((ex, argv) -> {
            ex.getCommandLine().getErr().println("agent-mesh: " + ex.getMessage() + " (see --help)");
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("agent-mesh: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli.execute(args);
    }

    /** The version from the jar manifest (set by the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AgentMeshCli.class.getPackage().getImplementationVersion();
            return new String[] {"agent-mesh " + (v == null ? "(development build)" : v)};
        }
    }
}

package org.agentmesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exit codes of the commands that need no running node: bad usage of every command is 2 with one line on stderr
 * (before anything starts); {@code certs} succeeds (0) and fails (1). The client commands are in
 * {@link ClientCommandsTest}; {@code node} and {@code mcp} succeeding are in NodeProcessIT and McpServerIT.
 */
class CommandUsageTest {

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AgentMeshCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static List<List<String>> badUsage() {
        return List.of(
                List.of("frobnicate"),
                List.of("node", "--port", "many"),
                List.of("node", "--unknown-flag"),
                List.of("demo", "--tasks", "-1"),
                List.of("demo", "--exit-after", "soon"),
                List.of("mcp", "--node", "not a url"),
                List.of("certs"),
                List.of("certs", "--nodes", "bad/name", "--out", "target/never"),
                List.of("bench", "tasks", "--seeds", "0"),
                List.of("bench", "raft", "--clients", "0"),
                List.of("bench", "raft", "--durable", "maybe"),
                List.of("bench", "raft", "--systems", "etcd"),
                List.of("bench", "raft", "--cluster-warmup-max", "-1"),
                List.of("bench", "gossip", "--seeds", "0"),
                List.of("bench", "pbft", "--clients", "0"),
                List.of("bench", "failure", "--runs", "0"),
                List.of("bench", "failure", "--profile", "slow"),
                List.of("bench", "quantum"),
                List.of("swarm", "init", "--max-agents", "many"),
                List.of("swarm", "list", "extra"),
                List.of("task", "list"),
                List.of("task", "list", "s", "--limit", "lots"),
                List.of("task", "status", "s"),
                List.of("task", "cancel", "s"),
                List.of("memory", "retrieve", "s"),
                List.of("memory", "list"),
                List.of("memory", "delete", "s"),
                List.of("memory", "search", "s"),
                List.of("memory", "store", "s", "k", "v", "--ttl", "soon"),
                List.of("consensus", "propose", "s", "{not json"),
                List.of("consensus", "propose", "s"),
                List.of("consensus", "vote", "s", "p-1", "maybe", "--agent", "agent-1"),
                List.of("consensus", "vote", "s", "p-1", "approve"),
                List.of("consensus", "status", "s"),
                List.of("report"),
                List.of("monitor", "s", "--count", "-1"));
    }

    @ParameterizedTest
    @MethodSource("badUsage")
    void badUsageIsExitTwoWithOneLine(List<String> args) {
        // the client commands would talk to a node where nothing listens: bad usage must be refused before any call
        boolean client = List.of("swarm", "task", "memory", "consensus", "report", "monitor").contains(args.get(0));
        Run r = client ? run(concat(args, "--node", "http://127.0.0.1:9")) : run(args.toArray(String[]::new));
        assertEquals(2, r.code(), args + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), args + " one line on stderr: " + r.err());
        assertTrue(r.err().startsWith("agent-mesh: "), r.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (List<String> command : List.<List<String>>of(List.of(), List.of("node"), List.of("demo"), List.of("mcp"), List.of("certs"),
                List.of("bench", "raft"), List.of("swarm", "init"), List.of("task", "submit"), List.of("memory", "store"),
                List.of("consensus", "vote"), List.of("report"), List.of("monitor"))) {
            Run r = run(concat(command, "--help"));
            assertEquals(0, r.code(), command.toString());
            assertTrue(r.out().contains("Usage: agent-mesh"), command + ": " + r.out());
        }
    }

    @Test
    void certsSucceedAndFail(@TempDir Path dir) throws Exception {
        Run ok = run("certs", "--nodes", "node1,node2", "--out", dir.resolve("certs").toString(), "--password", "test-pass");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("node node2"), ok.out());
        assertTrue(Files.exists(dir.resolve("certs")) && Files.list(dir.resolve("certs")).count() >= 3);

        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Run failed = run("certs", "--nodes", "node1", "--out", file.resolve("certs").toString(), "--password", "test-pass");
        assertEquals(1, failed.code(), failed.out() + failed.err());
        assertEquals(1, failed.err().strip().lines().count(), failed.err());
    }

    private static String[] concat(List<String> args, String... more) {
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}

package org.agentmesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.agentmesh.testkit.MeshTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The client commands against a real node: 0 on success, 1 on a failed operation, 2 on bad usage, one line on stderr. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCommandsTest {

    private MeshTestCluster cluster;
    private String node;

    record Run(int code, String out, String err) {}

    @BeforeAll
    void start() {
        cluster = MeshTestCluster.start(1);
        node = cluster.node(0).httpBase();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AgentMeshCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLine(Run r) {
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr: " + r.err());
        assertTrue(r.err().startsWith("agent-mesh: "), r.err());
    }

    @Test
    void swarmCommands() {
        Run init = run("swarm", "init", "mesh", "--id", "cli", "--max-agents", "4", "--strategy", "round-robin", "--capabilities", "code,test", "--node", node);
        assertEquals(0, init.code(), init.err());
        assertTrue(init.out().contains("\"id\" : \"cli\""), init.out());
        Run again = run("swarm", "init", "--id", "cli", "--node", node);
        assertEquals(1, again.code());
        assertOneLine(again);
        assertTrue(again.err().contains("409"), again.err());

        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> run("swarm", "status", "cli", "--node", node).out().contains("\"active\" : 4"));
        assertTrue(run("swarm", "list", "--node", node).out().contains("\"cli\""));
        Run bad = run("swarm", "init", "torus", "--node", node);
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("(field: topology)"), bad.err());
        assertEquals(2, run("swarm", "init", "--max-agents", "many", "--node", node).code());
        assertEquals(2, run("swarm", "status", "--node", node).code(), "missing swarm id is bad usage");
        Run unknown = run("swarm", "status", "nope", "--node", node);
        assertEquals(1, unknown.code());
        assertOneLine(unknown);

        Run monitor = run("monitor", "cli", "--count", "2", "--interval", "100", "--node", node);
        assertEquals(0, monitor.code(), monitor.err());
        assertTrue(monitor.out().contains("agents 4/4 active"), monitor.out());
        assertTrue(monitor.out().contains("4/4 agents reachable"), monitor.out());
        assertEquals(2, run("monitor", "cli", "--interval", "5", "--node", node).code());
        Run monitorUnknown = run("monitor", "ghost", "--count", "1", "--node", node);
        assertEquals(1, monitorUnknown.code());
        assertOneLine(monitorUnknown);
        Run listOk = run("swarm", "list", "--node", node);
        assertEquals(0, listOk.code(), listOk.err());
        Run listUnreachable = run("swarm", "list", "--node", "http://127.0.0.1:9");
        assertEquals(1, listUnreachable.code());
        assertOneLine(listUnreachable);
        assertEquals(2, run("swarm", "shutdown", "--node", node).code(), "missing swarm id is bad usage");
        Run windowed = run("report", "cli", "--window", "5m", "--node", node);
        assertEquals(0, windowed.code(), windowed.err());
        assertTrue(windowed.out().contains("history: 5m"), windowed.out());
        assertEquals(2, run("report", "cli", "--window", "yesterday", "--node", node).code());
        Run report = run("report", "cli", "--node", node);
        assertEquals(0, report.code(), report.err());
        assertTrue(report.out().contains("throughput:"), report.out());
        assertEquals(2, run("report", "cli", "--format", "xml", "--node", node).code());
        assertEquals(1, run("report", "ghost", "--node", node).code());

        assertEquals(0, run("swarm", "shutdown", "cli", "--node", node).code());
        assertEquals(1, run("swarm", "shutdown", "cli", "--node", node).code(), "shutting down twice is not a success");
    }

    @Test
    void memoryCommands() {
        assertEquals(0, run("swarm", "init", "--id", "cli-mem", "--max-agents", "3", "--node", node).code());
        Run store = run("memory", "store", "cli-mem", "greeting", "{\"text\": \"hello\"}", "--namespace", "demo", "--node", node);
        assertEquals(0, store.code(), store.err());
        assertTrue(store.out().contains("\"version\""), store.out());
        Run read = run("memory", "retrieve", "cli-mem", "greeting", "--namespace", "demo", "--node", node);
        assertEquals(0, read.code(), read.err());
        assertTrue(read.out().contains("hello"), read.out());
        assertTrue(run("memory", "list", "cli-mem", "--namespace", "demo", "--node", node).out().contains("greeting"));
        assertTrue(run("memory", "search", "cli-mem", "greet*", "--node", node).out().contains("greeting"));
        assertEquals(0, run("memory", "delete", "cli-mem", "greeting", "--namespace", "demo", "--node", node).code());
        Run gone = run("memory", "retrieve", "cli-mem", "greeting", "--namespace", "demo", "--node", node);
        assertEquals(1, gone.code());
        assertOneLine(gone);
        assertEquals(2, run("memory", "store", "cli-mem", "only-a-key", "--node", node).code(), "missing value is bad usage");

        // failed operations: exit 1 with the node's reason on one line
        for (String[] failing : List.of(
                new String[] {"memory", "store", "cli-mem", "k", "{}", "--ttl", "0"},
                new String[] {"memory", "store", "ghost", "k", "1"},
                new String[] {"memory", "list", "ghost"},
                new String[] {"memory", "delete", "ghost", "k"},
                new String[] {"memory", "search", "ghost", "k*"})) {
            Run r = run(concat(failing, "--node", node));
            assertEquals(1, r.code(), String.join(" ", failing) + ": " + r.out() + r.err());
            assertOneLine(r);
        }
    }

    @Test
    void consensusCommands() throws Exception {
        assertEquals(0, run("swarm", "init", "--id", "cli-vote", "--max-agents", "4", "--node", node).code());
        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> run("swarm", "status", "cli-vote", "--node", node).out().contains("\"active\" : 4"));
        // agents vote by their own policy: this proposal is decided by them, then a late vote is refused
        Run proposed = run("consensus", "propose", "cli-vote", "{\"adopt\": \"cli\"}", "--deadline", "60", "--node", node);
        assertEquals(0, proposed.code(), proposed.err());
        String pid = MeshClient.JSON.readTree(proposed.out()).get("proposalId").asText();
        MeshTestCluster.awaitUntil(Duration.ofSeconds(60), () -> run("consensus", "status", "cli-vote", pid, "--node", node).out()
                .contains("\"approved\""));
        Run late = run("consensus", "vote", "cli-vote", pid, "reject", "--agent", "agent-1", "--node", node);
        assertEquals(1, late.code(), late.out());
        assertOneLine(late);
        assertTrue(late.err().contains("409"), late.err());

        Run unknown = run("consensus", "status", "cli-vote", "p-nobody", "--node", node);
        assertEquals(1, unknown.code());
        assertOneLine(unknown);
        Run tooSmall = run("swarm", "init", "--id", "cli-few", "--max-agents", "2", "--node", node);
        assertEquals(0, tooSmall.code(), tooSmall.err());
        Run noCommittee = run("consensus", "propose", "cli-few", "{\"x\": 1}", "--node", node);
        assertEquals(1, noCommittee.code(), "pBFT needs 4 agents: " + noCommittee.out());
        assertOneLine(noCommittee);
        assertEquals(2, run("consensus", "propose", "cli-vote", "[1, 2]", "--threshold", "high", "--node", node).code());
        assertEquals(2, run("consensus", "vote", "cli-vote", pid, "abstain", "--agent", "agent-1", "--node", node).code());
    }

    private static String[] concat(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void taskCommands() {
        assertEquals(0, run("swarm", "init", "--id", "cli-tasks", "--max-agents", "2", "--node", node).code());
        Run submit = run("task", "submit", "cli-tasks", "--executor", "sleep", "--id", "t1", "--payload", "{\"millis\": 10}", "--node", node);
        assertEquals(0, submit.code(), submit.err());
        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> run("task", "status", "cli-tasks", "t1", "--node", node).out().contains("\"completed\""));
        assertTrue(run("task", "list", "cli-tasks", "--state", "completed", "--node", node).out().contains("\"t1\""));
        Run cancelDone = run("task", "cancel", "cli-tasks", "t1", "--node", node);
        assertEquals(1, cancelDone.code());
        assertOneLine(cancelDone);
        assertEquals(0, run("task", "submit", "cli-tasks", "--executor", "sleep", "--id", "long", "--payload", "{\"millis\": 60000}", "--node", node).code());
        assertEquals(0, run("task", "cancel", "cli-tasks", "long", "--node", node).code());
        assertEquals(2, run("task", "submit", "cli-tasks", "--node", node).code(), "--executor is required");
        assertEquals(2, run("task", "submit", "cli-tasks", "--executor", "sleep", "--payload", "{oops", "--node", node).code());
        Run rejected = run("task", "submit", "cli-tasks", "--executor", "sleep", "--caps", "flying", "--node", node);
        assertEquals(1, rejected.code());
        assertTrue(rejected.err().contains("422"), rejected.err());
        Run unknownSwarm = run("task", "list", "ghost", "--node", node);
        assertEquals(1, unknownSwarm.code(), unknownSwarm.out());
        assertOneLine(unknownSwarm);
        Run badState = run("task", "list", "cli-tasks", "--state", "sleeping", "--node", node);
        assertEquals(1, badState.code(), badState.out());
        assertTrue(badState.err().contains("state"), badState.err());
        Run noTask = run("task", "status", "cli-tasks", "nope", "--node", node);
        assertEquals(1, noTask.code());
        assertTrue(noTask.err().contains("404"), noTask.err());
        Run nobody = run("task", "status", "cli-tasks", "x", "--node", "http://127.0.0.1:9");
        assertEquals(1, nobody.code());
        assertOneLine(nobody);
        assertTrue(nobody.err().contains("cannot reach"), nobody.err());
    }
}

package org.agentmesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench raft} runs each phase in a JVM of its own and merges what the phases measured. */
class RaftBenchForkTest {

    @TempDir
    Path dir;

    @Test
    void aPhaseCrossesToItsJvmIntact() throws Exception {
        RaftBench.Options o = new RaftBench.Options(List.of(1, 16), List.of(true, false), RaftBench.Options.SYSTEMS,
                3.5, 1, 12, 300, 256);
        RaftBench.Options phase = o.phase(false, "ratis");
        List<String> cmd = RaftBench.phaseCommand(phase, dir.resolve("phase.json"));
        int main = cmd.indexOf(RaftBench.class.getName());
        assertTrue(main > 0, "no main class in " + cmd);
        assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.indexOf("-cp") + 1));
        String[] args = cmd.subList(main + 1, cmd.size()).toArray(String[]::new);
        assertEquals(phase, RaftBench.phaseOptions(args));
        assertEquals(dir.resolve("phase.json").toString(), args[2]);
    }

    @Test
    void resultsSurviveTheirJson() throws Exception {
        RaftBench.Options o = RaftBench.Options.defaults();
        RaftBench.Result r = new RaftBench.Result(o,
                List.of(new RaftBench.WarmUp("ratis", true, 30, 1000, Double.NaN, false)),
                List.of(new RaftBench.Cell("ratis", true, 16, 800, 100.0, 1.5, 4.25, 0)), "jvm 17", 2);
        RaftBench.Result back = RaftBench.readJson(RaftBench.writeJson(r, dir.resolve("r.json")));
        assertEquals(r.cells(), back.cells());
        assertEquals(r.options(), back.options());
        assertTrue(Double.isNaN(back.warmUps().get(0).lastRoundJitShare()));
    }

    /** The real thing, on the lightest phase: Ratis in memory, one short cell, no cluster warm-up. */
    @Test
    @Timeout(120)
    void aForkedPhaseIsMeasuredInAnotherJvmAndMerged() throws Exception {
        RaftBench.Options o = new RaftBench.Options(List.of(1), List.of(false), List.of("ratis"), 1, 0, 0, 0, 64);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RaftBench.Result r = RaftBench.runForked(o, new PrintStream(out, true));
        assertEquals(1, r.cells().size(), out.toString());
        RaftBench.Cell c = r.cells().get(0);
        assertEquals("ratis", c.system());
        assertEquals(1, c.clients());
        assertTrue(c.commits() > 0, "no commits measured: " + c);
        assertEquals(o, r.options());
        assertTrue(out.toString().contains("ratis durable=false: in a JVM of its own"), out.toString());
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("agent-mesh-bench-raft-")
                    && p.toFile().lastModified() > System.currentTimeMillis() - 60_000), "a phase's JSON was left behind");
        }
    }
}

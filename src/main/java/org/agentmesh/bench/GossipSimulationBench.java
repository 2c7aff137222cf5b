package org.agentmesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.agentmesh.gossip.GossipConfig;
import org.agentmesh.gossip.GossipInput;
import org.agentmesh.sim.NetworkConditions;

/**
 * Gossip in simulation at several swarm sizes: rounds for an update to reach every peer (min/median/max over seeds),
 * wall time, and traffic per peer per round (CBOR size estimated by {@link GossipWireSize}). Prints a table and
 * writes {@code bench-results/gossip-sim.json}.
 *
 * <p>Each run boots N peers from 3 seeds (default config: 2 s rounds, fanout 3, anti-entropy only: no push of
 * changes), or from {@link #SNAPSHOT_FROM} peers on from a snapshot of the swarm, waits until every peer knows every
 * other, then updates one peer and measures until all hold the update. Bytes and messages are counted from the
 * update on, for at least two rounds: right after a gossip boot they include the JOINED rumors still spreading. A run that exceeds
 * {@link #RUN_BUDGET_MILLIS} of wall time is stopped and reported as unfinished.
 *
 * <p>Usage: {@code GossipSimulationBench [seeds] [sizes...]}, default 5 seeds for 100 and 1,000 peers, 1 for 10,000.
 */
public final class GossipSimulationBench {

    /** Wall-time budget of one run; the 10,000-peer case must end in reasonable time. */
    public static final long RUN_BUDGET_MILLIS = 300_000;

    /**
     * From this size on, peers start from a snapshot of the swarm's entries instead of discovering each other by
     * gossip from 3 seeds: a gossip boot moves N entries to each of N peers (10^8 at 10,000), which is what a boot
     * costs however it is done, and is not what the table measures.
     */
    public static final int SNAPSHOT_FROM = 5_000;

    /**
     * One swarm size.
     *
     * @param finishedRuns          runs that completed within the budget (the statistics cover only those)
     * @param bytesPerRoundPerPeer  mean bytes sent per peer per round once membership converged
     * @param messagesPerRoundPerPeer mean messages sent per peer per round, same window
     * @param wallMillisMedian      median wall time of a whole run (boot + measurement)
     * @param wallMillisPerRound    median wall time of one simulated round (all N peers) in the measurement window
     */
    public record Row(int peers, int seeds, int finishedRuns, double minRounds, double medianRounds, double maxRounds,
                      double bootRoundsMedian, double bytesPerRoundPerPeer, double messagesPerRoundPerPeer,
                      double wallMillisMedian, double wallMillisPerRound, String note) {}

    private record Run(boolean finished, double rounds, double bootRounds, double bytesPerRoundPerPeer,
                       double messagesPerRoundPerPeer, double wallMillis, double wallMillisPerRound) {}

    private GossipSimulationBench() {}

    public static List<Row> run(int[] sizes, int seeds) {
        List<Row> rows = new ArrayList<>();
        for (int n : sizes) {
            List<Run> runs = new ArrayList<>();
            for (long seed = 1; seed <= seeds; seed++) {
                runs.add(runOnce(seed, n));
            }
            rows.add(summarise(n, seeds, runs));
        }
        return rows;
    }

    private static Run runOnce(long seed, int n) {
        long start = System.nanoTime();
        // anti-entropy alone: with pushChanges the update would reach everyone before a round passed
        GossipConfig config = GossipConfig.defaults().withPushChanges(false);
        GossipSimCluster c = new GossipSimCluster(seed, n, 3, config, NetworkConditions.reliable(), GossipWireSize::estimate);
        int boot = 0;
        if (n >= SNAPSHOT_FROM) {
            c.startAllFromSnapshot();
            // a round so that the timers run and the first digests are exchanged
            c.runRounds(1);
        } else {
            c.startAll(config.intervalMillis());
        }
        while (!c.membershipConverged()) {
            c.runRounds(1);
            boot++;
            if (boot > 60 || elapsed(start) > RUN_BUDGET_MILLIS) {
                return new Run(false, Double.NaN, boot, Double.NaN, Double.NaN, elapsed(start), Double.NaN);
            }
        }
        long bytes0 = c.network().bytes();
        long msgs0 = c.network().sent();
        long sim0 = c.sim().now();
        long wall0 = System.nanoTime();
        String origin = c.ids().get(c.sim().random().nextInt(n));
        c.input(origin, new GossipInput.Update(Set.of("bench"), 0.5, 1.0));
        long version = c.core(origin).selfEntry().version();
        double rounds = Double.NaN;
        for (int quarter = 1; quarter <= 4 * 60; quarter++) {
            c.runRounds(0.25);
            if (c.allHaveAtLeast(origin, version)) {
                rounds = (c.sim().now() - sim0) / (double) config.intervalMillis();
                break;
            }
            if (elapsed(start) > RUN_BUDGET_MILLIS) {
                break;
            }
        }
        // at least two rounds of traffic for the per-round averages
        while (c.sim().now() - sim0 < 2 * config.intervalMillis() && elapsed(start) <= RUN_BUDGET_MILLIS) {
            c.runRounds(0.25);
        }
        double simRounds = (c.sim().now() - sim0) / (double) config.intervalMillis();
        double wallPerRound = (System.nanoTime() - wall0) / 1e6 / simRounds;
        return new Run(!Double.isNaN(rounds), rounds, boot, (c.network().bytes() - bytes0) / simRounds / n,
                (c.network().sent() - msgs0) / simRounds / n, elapsed(start), wallPerRound);
    }

    private static long elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static Row summarise(int n, int seeds, List<Run> runs) {
        List<Run> done = runs.stream().filter(Run::finished).toList();
        String note = done.size() == runs.size() ? "" : (runs.size() - done.size()) + " run(s) stopped at the "
                + RUN_BUDGET_MILLIS / 1000 + " s budget after " + runs.get(0).bootRounds() + " boot rounds";
        if (n >= SNAPSHOT_FROM) {
            note = ("started from a snapshot (no boot by gossip) " + note).trim();
        }
        if (done.isEmpty()) {
            return new Row(n, seeds, 0, Double.NaN, Double.NaN, Double.NaN, median(runs.stream().map(Run::bootRounds).toList()),
                    Double.NaN, Double.NaN, median(runs.stream().map(Run::wallMillis).toList()), Double.NaN, note);
        }
        List<Double> rounds = new ArrayList<>(done.stream().map(Run::rounds).toList());
        Collections.sort(rounds);
        return new Row(n, seeds, done.size(), rounds.get(0), median(rounds), rounds.get(rounds.size() - 1),
                median(done.stream().map(Run::bootRounds).toList()),
                done.stream().mapToDouble(Run::bytesPerRoundPerPeer).average().orElse(Double.NaN),
                done.stream().mapToDouble(Run::messagesPerRoundPerPeer).average().orElse(Double.NaN),
                median(done.stream().map(Run::wallMillis).toList()),
                median(done.stream().map(Run::wallMillisPerRound).toList()), note);
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
    }

    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%7s %5s %22s %10s %14s %12s %12s %14s  %s%n", "peers", "runs", "rounds min/med/max",
                "boot rnds", "bytes/rnd/peer", "msgs/rnd/pr", "wall/run ms", "wall/round ms", "note"));
        for (Row r : rows) {
            b.append(String.format("%7d %2d/%-2d %22s %10.1f %14.0f %12.1f %12.0f %14.1f  %s%n", r.peers(), r.finishedRuns(),
                    r.seeds(), String.format("%.2f/%.2f/%.2f", r.minRounds(), r.medianRounds(), r.maxRounds()),
                    r.bootRoundsMedian(), r.bytesPerRoundPerPeer(), r.messagesPerRoundPerPeer(), r.wallMillisMedian(),
                    r.wallMillisPerRound(), r.note()));
        }
        return b.toString();
    }

    public static void main(String[] args) throws IOException {
        List<Row> rows = new ArrayList<>();
        if (args.length > 1) {
            int seeds = Integer.parseInt(args[0]);
            rows.addAll(run(Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray(), seeds));
        } else {
            int seeds = args.length == 1 ? Integer.parseInt(args[0]) : 5;
            rows.addAll(run(new int[] {100, 1_000}, seeds));
            rows.addAll(run(new int[] {10_000}, 1));
        }
        System.out.print(table(rows));
        Path dir = Path.of("bench-results");
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(dir.resolve("gossip-sim.json").toFile(), rows);
        System.out.println("wrote " + dir.resolve("gossip-sim.json"));
    }
}

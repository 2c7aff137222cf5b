package org.agentmesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.agentmesh.pbft.CountingAuthenticator;
import org.agentmesh.pbft.Ed25519Authenticator;
import org.agentmesh.pbft.KeyRing;
import org.agentmesh.pbft.NodeKey;
import org.agentmesh.pbft.PbftClient;
import org.agentmesh.pbft.PbftConfig;
import org.agentmesh.pbft.PbftCore;
import org.agentmesh.pbft.PbftInput;
import org.agentmesh.pbft.PbftMessage;
import org.agentmesh.pbft.PbftOutput;
import org.agentmesh.pbft.ReplicatedService;
import org.agentmesh.pbft.TimerKind;
import org.agentmesh.raft.DurableState;
import org.agentmesh.raft.EntryPayload;
import org.agentmesh.raft.LocalInput;
import org.agentmesh.raft.LogEntry;
import org.agentmesh.raft.Membership;
import org.agentmesh.raft.RaftConfig;
import org.agentmesh.raft.RaftCore;
import org.agentmesh.raft.RaftMessage;
import org.agentmesh.raft.RaftRole;
import org.agentmesh.raft.Ready;
import org.agentmesh.raft.RequestOutcome;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * pBFT against Raft on this machine, in the same run: each replica is a Pekko actor in one JVM (messages passed as
 * objects, no network or serialization), driving the pure core with real timers. pBFT replicas and clients sign and
 * verify with real Ed25519 (JDK); Raft (three {@link RaftCore}s, in-memory log, no disk) does no cryptography. Closed-loop
 * clients each keep one request outstanding; a request is decided when the pBFT client holds f+1 matching replies, or
 * when the Raft leader applies its entry. Reports decided requests/s, p50/p99 latency, the pBFT/Raft ratio, and the
 * signature cost per decided request (sign + verify wall time summed over every replica and client, so on a loaded
 * machine it includes time descheduled inside the crypto), and view changes (a replica starved of CPU suspects its
 * primary).
 *
 * <p>Usage: {@code PbftBench [clients] [seconds]} (defaults 32 and 5); writes {@code bench-results/pbft.json}.
 */
public final class PbftBench {

    /** One measured configuration. */
    public record Result(String protocol, int n, int f, int maxBatch, int clients, double seconds, long decided,
            double requestsPerSecond, double p50Millis, double p99Millis, double signaturesPerDecision,
            double verificationsPerDecision, double cryptoMicrosPerDecision, long viewChanges) {}

    /** A whole run: the results and the ratios of pBFT to Raft. */
    public record Report(List<Result> results, Map<String, Double> throughputRatioToRaft, int clients, double seconds,
            int cpus, double loadAverage, String java) {}

    private PbftBench() {}

    public static void main(String[] args) throws IOException {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        Report report = run(clients, seconds, Path.of("bench-results", "pbft.json"));
        System.out.println(table(report));
        System.out.println("wrote bench-results/pbft.json");
    }

    /** Runs Raft (n = 3), pBFT n = 4 and n = 7 with batching (and n = 4 without, for scale); writes {@code json}. */
    public static Report run(int clients, double seconds, Path json) throws IOException {
        // warm-up (JIT), not reported
        runPbft(4, 64, clients, Math.min(2, seconds));
        runRaft(clients, Math.min(2, seconds));
        List<Result> results = new ArrayList<>();
        results.add(runRaft(clients, seconds));
        results.add(runPbft(4, 64, clients, seconds));
        results.add(runPbft(7, 64, clients, seconds));
        results.add(runPbft(4, 1, clients, seconds));
        double raft = results.get(0).requestsPerSecond();
        Map<String, Double> ratio = new LinkedHashMap<>();
        for (Result r : results.subList(1, results.size())) {
            ratio.put("pbft n=" + r.n() + " batch=" + r.maxBatch(), raft == 0 ? 0 : r.requestsPerSecond() / raft);
        }
        Report report = new Report(results, ratio, clients, seconds, Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.version"));
        Files.createDirectories(json.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        return report;
    }

    public static String table(Report report) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("pBFT vs Raft, in-JVM actors, %d closed-loop clients, %.0f s each; %d cpus, load %.1f, Java %s%n",
                report.clients(), report.seconds(), report.cpus(), report.loadAverage(), report.java()));
        s.append(String.format("%-6s %3s %2s %6s %9s %9s %9s %9s %9s %12s %12s %6s%n", "proto", "n", "f", "batch", "decided",
                "req/s", "p50 ms", "p99 ms", "sig/dec", "verify/dec", "crypto µs", "views"));
        for (Result r : report.results()) {
            s.append(String.format("%-6s %3d %2d %6d %9d %9.0f %9.2f %9.2f %9.2f %12.2f %12.0f %6d%n", r.protocol(), r.n(), r.f(),
                    r.maxBatch(), r.decided(), r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.signaturesPerDecision(),
                    r.verificationsPerDecision(), r.cryptoMicrosPerDecision(), r.viewChanges()));
        }
        report.throughputRatioToRaft().forEach((k, v) -> s.append(String.format("throughput %s / raft n=3: %.2e (1 : %.0f)%n", k, v, v == 0 ? 0 : 1 / v)));
        return s.toString();
    }

    // ---------------------------------------------------------------- shared measurement

    private static ActorSystem<Void> system() {
        return ActorSystem.create(Behaviors.empty(), "bench", ConfigFactory.parseString(
                "pekko.scheduler.tick-duration = 1ms\npekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    }

    /** Completion times and latencies (nanos) of requests decided while measuring. */
    private static final class Meter {
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        volatile long measureFrom = Long.MAX_VALUE;
        volatile long measureTo = Long.MAX_VALUE;
        volatile boolean running = true;

        void decided(long submittedNanos) {
            long now = System.nanoTime();
            if (now >= measureFrom && now <= measureTo) {
                latencies.add(now - submittedNanos);
            }
        }

        Result result(String protocol, int n, int f, int batch, int clients, double seconds, long signs, long verifies,
                long cryptoNanos, long allDecided, long viewChanges) {
            List<Long> sorted = latencies.stream().sorted().toList();
            long decided = sorted.size();
            double p50 = sorted.isEmpty() ? 0 : sorted.get((int) Math.min(decided - 1, Math.ceil(0.50 * decided) - 1)) / 1e6;
            double p99 = sorted.isEmpty() ? 0 : sorted.get((int) Math.min(decided - 1, Math.ceil(0.99 * decided) - 1)) / 1e6;
            double per = Math.max(1, allDecided);
            return new Result(protocol, n, f, batch, clients, seconds, decided, decided / seconds, p50, p99,
                    signs / per, verifies / per, cryptoNanos / 1e3 / per, viewChanges);
        }
    }

    private static void measure(Meter meter, double seconds) {
        try {
            Thread.sleep(500); // settle: leader election, first batches
            meter.measureFrom = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            meter.measureTo = System.nanoTime();
            meter.running = false;
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void shutdown(ActorSystem<Void> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("bench actor system did not stop", e);
        }
    }

    // ---------------------------------------------------------------- pBFT

    private sealed interface PbftMsg {}

    private record Net(PbftMessage message) implements PbftMsg {}

    private record Fire(TimerKind kind) implements PbftMsg {}

    private record Go() implements PbftMsg {}

    /** The replicated service: a counter; each operation's result names its sequence number. */
    private static final class Counter implements ReplicatedService {
        long value;

        @Override
        public String execute(String client, String operation, long seq) {
            value++;
            return "ok:" + value;
        }

        @Override
        public String snapshot() {
            return Long.toString(value);
        }

        @Override
        public void restore(String snapshot) {
            value = Long.parseLong(snapshot);
        }
    }

    public static Result runPbft(int n, int maxBatch, int clients, double seconds) {
        List<String> replicas = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replicas.add("r" + i);
        }
        SecureRandom random = NodeKey.seededRandom(n * 1000L + maxBatch);
        List<NodeKey> keys = new ArrayList<>();
        replicas.forEach(r -> keys.add(NodeKey.generate(r, random)));
        for (int c = 0; c < clients; c++) {
            keys.add(NodeKey.generate("c" + c, random));
        }
        KeyRing ring = KeyRing.of(keys);
        PbftConfig config = PbftConfig.defaults(replicas).withBatching(maxBatch, maxBatch == 1 ? 0 : 1);
        Map<String, ActorRef<PbftMsg>> directory = new ConcurrentHashMap<>();
        List<CountingAuthenticator> auths = new ArrayList<>();
        List<PbftCore> cores = new ArrayList<>();
        AtomicLong allDecided = new AtomicLong();
        Meter meter = new Meter();
        ActorSystem<Void> system = system();
        for (int i = 0; i < n; i++) {
            CountingAuthenticator auth = new CountingAuthenticator(new Ed25519Authenticator(keys.get(i), ring));
            auths.add(auth);
            PbftCore core = new PbftCore(config, auth, new Counter());
            cores.add(core);
            directory.put(replicas.get(i), system.systemActorOf(replica(core, directory, replicas), replicas.get(i), Props.empty()));
        }
        for (int c = 0; c < clients; c++) {
            CountingAuthenticator auth = new CountingAuthenticator(new Ed25519Authenticator(keys.get(n + c), ring));
            auths.add(auth);
            PbftClient client = new PbftClient(config, auth, 500);
            directory.put("c" + c, system.systemActorOf(pbftClient(client, directory, replicas, meter, allDecided), "c" + c, Props.empty()));
        }
        directory.values().forEach(ref -> ref.tell(new Go()));
        measure(meter, seconds);
        shutdown(system);
        long signs = auths.stream().mapToLong(CountingAuthenticator::signs).sum();
        long verifies = auths.stream().mapToLong(CountingAuthenticator::verifies).sum();
        long nanos = auths.stream().mapToLong(a -> a.signNanos() + a.verifyNanos()).sum();
        long viewChanges = cores.stream().mapToLong(PbftCore::viewChangesCompleted).max().orElse(0);
        return meter.result("pbft", n, config.f(), maxBatch, clients, seconds, signs, verifies, nanos, allDecided.get(), viewChanges);
    }

    private static void carryOut(List<PbftOutput> outputs, String self, Map<String, ActorRef<PbftMsg>> directory,
            List<String> replicas, org.apache.pekko.actor.typed.javadsl.TimerScheduler<PbftMsg> timers) {
        for (PbftOutput o : outputs) {
            if (o instanceof PbftOutput.Send s) {
                directory.get(s.to()).tell(new Net(s.message()));
            } else if (o instanceof PbftOutput.Broadcast b) {
                for (String r : replicas) {
                    if (!r.equals(self)) {
                        directory.get(r).tell(new Net(b.message()));
                    }
                }
            } else if (o instanceof PbftOutput.ReplyToClient r) {
                directory.get(r.client()).tell(new Net(r.reply()));
            } else if (o instanceof PbftOutput.SetTimer t) {
                timers.startSingleTimer(t.kind(), new Fire(t.kind()), Duration.ofMillis(t.delayMillis()));
            } else if (o instanceof PbftOutput.CancelTimer c) {
                timers.cancel(c.kind());
            }
        }
    }

    private static Behavior<PbftMsg> replica(PbftCore core, Map<String, ActorRef<PbftMsg>> directory, List<String> replicas) {
        return Behaviors.withTimers(timers -> Behaviors.receive(PbftMsg.class)
                .onMessage(Go.class, g -> {
                    carryOut(core.start(System.currentTimeMillis()), core.id(), directory, replicas, timers);
                    return Behaviors.same();
                })
                .onMessage(Net.class, m -> {
                    carryOut(core.step(new PbftInput.Deliver(m.message()), System.currentTimeMillis()), core.id(), directory, replicas, timers);
                    return Behaviors.same();
                })
                .onMessage(Fire.class, f -> {
                    carryOut(core.step(new PbftInput.TimerFired(f.kind()), System.currentTimeMillis()), core.id(), directory, replicas, timers);
                    return Behaviors.same();
                })
                .build());
    }

    private static Behavior<PbftMsg> pbftClient(PbftClient client, Map<String, ActorRef<PbftMsg>> directory, List<String> replicas,
            Meter meter, AtomicLong allDecided) {
        long[] submitted = new long[1];
        long[] counter = new long[1];
        return Behaviors.withTimers(timers -> {
            Runnable next = () -> {
                submitted[0] = System.nanoTime();
                carryOut(client.submit("op-" + client.id() + "-" + (counter[0]++) + "-" + "x".repeat(48), System.currentTimeMillis()),
                        client.id(), directory, replicas, timers);
            };
            return Behaviors.receive(PbftMsg.class)
                    .onMessage(Go.class, g -> {
                        next.run();
                        return Behaviors.same();
                    })
                    .onMessage(Net.class, m -> {
                        List<PbftOutput> out = client.step(new PbftInput.Deliver(m.message()), System.currentTimeMillis());
                        carryOut(out, client.id(), directory, replicas, timers);
                        if (out.stream().anyMatch(o -> o instanceof PbftOutput.Completed)) {
                            allDecided.incrementAndGet();
                            meter.decided(submitted[0]);
                            if (meter.running) {
                                next.run();
                            }
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Fire.class, f -> {
                        carryOut(client.step(new PbftInput.TimerFired(f.kind()), System.currentTimeMillis()), client.id(), directory, replicas, timers);
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    // ---------------------------------------------------------------- Raft

    private sealed interface RaftMsg {}

    private record RaftNet(RaftMessage message) implements RaftMsg {}

    private record Tick() implements RaftMsg {}

    private record Propose(long requestId, byte[] command, ActorRef<RaftMsg> client) implements RaftMsg {}

    private record Outcome(long requestId, boolean done) implements RaftMsg {}

    private record Retry() implements RaftMsg {}

    public static Result runRaft(int clients, double seconds) {
        List<String> nodes = List.of("n0", "n1", "n2");
        Membership membership = Membership.ofVoters(nodes.toArray(String[]::new));
        Map<String, ActorRef<RaftMsg>> directory = new ConcurrentHashMap<>();
        AtomicReference<String> leader = new AtomicReference<>("n0");
        AtomicLong ids = new AtomicLong();
        AtomicLong allDecided = new AtomicLong();
        Meter meter = new Meter();
        ActorSystem<Void> system = system();
        long now = System.currentTimeMillis();
        for (int i = 0; i < nodes.size(); i++) {
            RaftCore core = new RaftCore(nodes.get(i), RaftConfig.defaults(), DurableState.fresh(membership),
                    new SplittableRandom(i), now);
            directory.put(nodes.get(i), system.systemActorOf(raftNode(core, directory, leader), nodes.get(i), Props.empty()));
        }
        List<ActorRef<RaftMsg>> clientRefs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            clientRefs.add(system.systemActorOf(raftClient(directory, leader, ids, meter, allDecided), "c" + c, Props.empty()));
        }
        try {
            Thread.sleep(600); // an election
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clientRefs.forEach(ref -> ref.tell(new Retry()));
        measure(meter, seconds);
        shutdown(system);
        return meter.result("raft", nodes.size(), 0, RaftConfig.defaults().maxEntriesPerAppend(), clients, seconds, 0, 0, 0,
                allDecided.get(), 0);
    }

    private static Behavior<RaftMsg> raftNode(RaftCore core, Map<String, ActorRef<RaftMsg>> directory, AtomicReference<String> leader) {
        Map<Long, Propose> byRequest = new HashMap<>();
        Map<Long, Propose> byIndex = new HashMap<>();
        Runnable handle = () -> {
            Ready r = core.ready();
            if (r.isEmpty()) {
                return;
            }
            // the log is the core's own (in memory): nothing to persist before sending
            for (RaftMessage m : r.messages()) {
                ActorRef<RaftMsg> to = directory.get(m.to());
                if (to != null) {
                    to.tell(new RaftNet(m));
                }
            }
            for (RequestOutcome o : r.outcomes()) {
                if (o instanceof RequestOutcome.Accepted a) {
                    Propose p = byRequest.remove(a.requestId());
                    if (p != null) {
                        byIndex.put(a.index(), p);
                    }
                } else if (o instanceof RequestOutcome.Rejected rej) {
                    Propose p = byRequest.remove(rej.requestId());
                    if (p != null) {
                        p.client().tell(new Outcome(p.requestId(), false));
                    }
                }
            }
            for (LogEntry e : r.committed()) {
                Propose p = byIndex.remove(e.index());
                if (p != null && e.payload() instanceof EntryPayload.Command) {
                    p.client().tell(new Outcome(p.requestId(), true));
                }
            }
            r.leaderState().ifPresent(ls -> {
                if (ls.role() == RaftRole.LEADER) {
                    leader.set(core.id());
                }
            });
        };
        return Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay("tick", new Tick(), Duration.ofMillis(10));
            return Behaviors.receive(RaftMsg.class)
                    .onMessage(Tick.class, t -> {
                        core.tick(System.currentTimeMillis());
                        handle.run();
                        return Behaviors.same();
                    })
                    .onMessage(RaftNet.class, m -> {
                        core.step(m.message(), System.currentTimeMillis());
                        handle.run();
                        return Behaviors.same();
                    })
                    .onMessage(Propose.class, p -> {
                        byRequest.put(p.requestId(), p);
                        core.step(new LocalInput.Propose(p.requestId(), p.command()), System.currentTimeMillis());
                        handle.run();
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private static Behavior<RaftMsg> raftClient(Map<String, ActorRef<RaftMsg>> directory, AtomicReference<String> leader,
            AtomicLong ids, Meter meter, AtomicLong allDecided) {
        long[] submitted = new long[1];
        long[] outstanding = {-1};
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            Runnable send = () -> {
                outstanding[0] = ids.incrementAndGet();
                byte[] command = ("op-" + outstanding[0] + "-" + "x".repeat(48)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                directory.get(leader.get()).tell(new Propose(outstanding[0], command, ctx.getSelf()));
            };
            return Behaviors.receive(RaftMsg.class)
                    .onMessage(Retry.class, r -> {
                        if (meter.running) {
                            if (submitted[0] == 0) {
                                submitted[0] = System.nanoTime();
                            }
                            send.run();
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Outcome.class, o -> {
                        if (o.requestId() != outstanding[0]) {
                            return Behaviors.same();
                        }
                        if (!o.done()) {
                            timers.startSingleTimer(new Retry(), Duration.ofMillis(20));
                            return Behaviors.same();
                        }
                        allDecided.incrementAndGet();
                        meter.decided(submitted[0]);
                        submitted[0] = 0;
                        if (meter.running) {
                            submitted[0] = System.nanoTime();
                            send.run();
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}

package org.agentmesh.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.agentmesh.sim.NetworkConditions;
import org.agentmesh.sim.SimNetwork;
import org.agentmesh.sim.Simulation;

/**
 * Signature cost of pBFT per decided request, measured in simulation with real Ed25519 (JDK provider): every replica and
 * client signs and verifies through a {@link CountingAuthenticator}; the network is the simulator's (1-5 ms, no loss),
 * so the wall clock measured is the cryptography's own. Runs n = 4 and n = 7, without batching (batch 1) and with
 * batching (batch 16 with the given clients, batch 64 with four times as many clients each sending a quarter as many
 * requests); prints a table and writes {@code bench-results/pbft-sim.json}.
 *
 * <p>Usage: {@code PbftSimulationBench [clients] [requestsPerClient]} (defaults 16 and 20).
 */
public final class PbftSimulationBench {

    /** One measured configuration. */
    public record Result(int n, int maxBatch, int clients, long decided, double avgBatch, long signs, long verifies,
            double signsPerRequest, double verifiesPerRequest, double signMicrosPerRequest, double verifyMicrosPerRequest,
            double cryptoMicrosPerRequest, double signMicrosEach, double verifyMicrosEach, long virtualMillis,
            long wallMillis) {}

    private PbftSimulationBench() {}

    public static void main(String[] args) throws IOException {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        run(4, 16, clients, 5); // warm-up (JIT), not reported
        List<Result> results = new ArrayList<>();
        for (int n : new int[] {4, 7}) {
            for (int batch : new int[] {1, 16}) {
                results.add(run(n, batch, clients, perClient));
            }
            // many concurrent clients fill bigger batches (same number of requests)
            results.add(run(n, 64, clients * 4, Math.max(1, perClient / 4)));
        }
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.printf("pBFT in simulation, Ed25519 (JDK), %d clients x %d requests; load average %.1f on %d cpus"
                + " (wall-clock figures are only meaningful on an idle machine; counts are deterministic)%n",
                clients, perClient, load, cpus);
        System.out.printf("%-3s %-6s %-7s %-8s %-9s %-9s %-11s %-11s %-13s %-13s %-13s %-10s %-10s%n", "n", "batch",
                "clients", "decided", "avgBatch", "signs/req", "verifies/req", "sign us/req", "verify us/req", "crypto us/req",
                "us/sign", "us/verify", "wall ms");
        for (Result r : results) {
            System.out.printf("%-3d %-6d %-7d %-8d %-9.2f %-9.1f %-11.1f %-11.1f %-13.1f %-13.1f %-13.1f %-10.1f %-10d%n",
                    r.n(), r.maxBatch(), r.clients(), r.decided(), r.avgBatch(), r.signsPerRequest(), r.verifiesPerRequest(),
                    r.signMicrosPerRequest(), r.verifyMicrosPerRequest(), r.cryptoMicrosPerRequest(), r.signMicrosEach(),
                    r.verifyMicrosEach(), r.wallMillis());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "pbft-sim");
        json.put("signatures", "Ed25519 (JDK " + System.getProperty("java.version") + ")");
        json.put("clients", clients);
        json.put("requestsPerClient", perClient);
        json.put("loadAverage", load);
        json.put("cpus", cpus);
        json.put("results", results);
        Path out = Path.of("bench-results", "pbft-sim.json");
        Files.createDirectories(out.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
        System.out.println("wrote " + out);
    }

    /** A service that only counts, so the measured time is the protocol's. */
    private static final class Counter implements ReplicatedService {
        private long count;

        @Override
        public String execute(String client, String operation, long seq) {
            return Long.toString(++count);
        }

        @Override
        public String snapshot() {
            return Long.toString(count);
        }

        @Override
        public void restore(String snapshot) {
            count = Long.parseLong(snapshot);
        }
    }

    static Result run(int n, int maxBatch, int clientCount, int perClient) {
        Simulation sim = new Simulation(n * 1000L + maxBatch);
        List<String> replicaIds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replicaIds.add("r" + i);
        }
        List<String> ids = new ArrayList<>(replicaIds);
        for (int i = 0; i < clientCount; i++) {
            ids.add("c" + i);
        }
        var random = NodeKey.seededRandom(99);
        List<NodeKey> keys = new ArrayList<>();
        ids.forEach(id -> keys.add(NodeKey.generate(id, random)));
        KeyRing ring = KeyRing.of(keys);
        Map<String, CountingAuthenticator> auth = new LinkedHashMap<>();
        keys.forEach(k -> auth.put(k.id(), new CountingAuthenticator(new Ed25519Authenticator(k, ring))));
        PbftConfig config = PbftConfig.defaults(replicaIds).withBatching(maxBatch, maxBatch == 1 ? 0 : 2);
        Map<String, PbftCore> replicas = new LinkedHashMap<>();
        Map<String, PbftClient> clients = new LinkedHashMap<>();
        long[] batches = new long[2]; // batches and requests executed at r1
        Object[] netHolder = new Object[1];
        class Router {
            @SuppressWarnings("unchecked")
            void route(String from, List<PbftOutput> outputs) {
                SimNetwork<PbftMessage> net = (SimNetwork<PbftMessage>) netHolder[0];
                for (PbftOutput o : outputs) {
                    if (o instanceof PbftOutput.Send s) {
                        net.send(from, s.to(), s.message());
                    } else if (o instanceof PbftOutput.Broadcast b) {
                        replicaIds.stream().filter(r -> !r.equals(from)).forEach(r -> net.send(from, r, b.message()));
                    } else if (o instanceof PbftOutput.ReplyToClient r) {
                        net.send(from, r.client(), r.reply());
                    } else if (o instanceof PbftOutput.SetTimer t) {
                        net.timer(from, t.delayMillis(), () -> route(from, replicas.containsKey(from)
                                ? replicas.get(from).step(new PbftInput.TimerFired(t.kind()), sim.now())
                                : clients.get(from).step(new PbftInput.TimerFired(t.kind()), sim.now())));
                    } else if (o instanceof PbftOutput.Executed e && from.equals("r1")) {
                        batches[0]++;
                        batches[1] += e.batch().size();
                    }
                }
            }
        }
        Router router = new Router();
        SimNetwork<PbftMessage> net = new SimNetwork<>(sim, NetworkConditions.reliable(), (from, to, m) -> {
            PbftInput in = new PbftInput.Deliver(m);
            router.route(to, replicas.containsKey(to) ? replicas.get(to).step(in, sim.now())
                    : clients.get(to).step(in, sim.now()));
        });
        netHolder[0] = net;
        for (String id : replicaIds) {
            replicas.put(id, new PbftCore(config, auth.get(id), new Counter()));
        }
        for (int i = 0; i < clientCount; i++) {
            clients.put("c" + i, new PbftClient(config, auth.get("c" + i), 1_000));
        }
        long wallStart = System.nanoTime();
        replicas.forEach((id, core) -> router.route(id, core.start(sim.now())));
        clients.forEach((id, client) -> {
            for (int i = 0; i < perClient; i++) {
                router.route(id, client.submit("op-" + i, sim.now()));
            }
        });
        boolean done = sim.runUntil(() -> clients.values().stream().allMatch(PbftClient::idle), 600_000);
        long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
        if (!done) {
            throw new IllegalStateException("n=" + n + " batch=" + maxBatch + " did not finish");
        }
        long decided = clients.values().stream().mapToLong(PbftClient::completed).sum();
        long signs = auth.values().stream().mapToLong(CountingAuthenticator::signs).sum();
        long verifies = auth.values().stream().mapToLong(CountingAuthenticator::verifies).sum();
        double signMicros = auth.values().stream().mapToLong(CountingAuthenticator::signNanos).sum() / 1_000.0;
        double verifyMicros = auth.values().stream().mapToLong(CountingAuthenticator::verifyNanos).sum() / 1_000.0;
        return new Result(n, maxBatch, clientCount, decided, batches[1] / (double) Math.max(1, batches[0]), signs,
                verifies, signs / (double) decided, verifies / (double) decided, signMicros / decided,
                verifyMicros / decided, (signMicros + verifyMicros) / decided, signMicros / signs, verifyMicros / verifies,
                sim.now(), wallMillis);
    }
}

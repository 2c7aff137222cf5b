package org.agentmesh.pbft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agentmesh.sim.NetworkConditions;
import org.agentmesh.sim.SimNetwork;
import org.agentmesh.sim.Simulation;

/**
 * A pBFT group with clients on the deterministic simulator: routes outputs over a {@link SimNetwork}, runs timers as
 * node-owned simulated timers, and checks the invariants after every simulation step.
 */
final class PbftSimCluster {

    /** One run: group size, the faulty replicas (id to kind), authentication, network. */
    record Scenario(int n, Map<Integer, Byzantine.Kind> faults, boolean ed25519, double lossRate, int clients,
            int requestsPerClient, int maxBatch, long faultsUntil) {
        String name() {
            return "n" + n + "-" + faults.values() + (ed25519 ? "-ed25519" : "-hmac") + "-loss" + lossRate;
        }
    }

    final Scenario scenario;
    final Simulation sim;
    final SimNetwork<PbftMessage> net;
    final PbftConfig config;
    final List<String> replicaIds = new ArrayList<>();
    final Map<String, SimNode> replicas = new LinkedHashMap<>();
    final Map<String, PbftClient> clients = new LinkedHashMap<>();
    final Set<String> faulty = new TreeSet<>();
    final Map<String, Authenticator> auths = new HashMap<>();
    final Map<String, NodeKey> nodeKeys = new HashMap<>();
    /** Results the clients accepted, per client, in order. */
    final Map<String, List<String>> accepted = new HashMap<>();

    // invariant bookkeeping
    private final Map<Long, String> committed = new HashMap<>();           // seq -> digest first executed by a correct replica
    private final Map<String, String> resultOf = new HashMap<>();          // request key -> result at correct replicas
    private final Map<String, Long> lastExecuted = new HashMap<>();        // correct replica -> last executed seq
    private final Map<String, String> clientAccepted = new HashMap<>();    // request key -> result a client accepted
    private String violation;
    long viewChangesStarted;
    long executions;

    long stateTransfers;
    /** What each replica persisted (PbftOutput.Persist), in order: all a restart from the journal keeps. */
    final Map<String, List<DurableEvent>> journals = new HashMap<>();
    private final java.util.function.Function<String, ReplicatedService> serviceFor;
    long newViewsCarryingRequests;

    PbftSimCluster(Scenario scenario, long seed) {
        this(scenario, seed, replica -> new HashChainService());
    }

    PbftSimCluster(Scenario scenario, long seed, java.util.function.Function<String, ReplicatedService> serviceFor) {
        this.scenario = scenario;
        this.serviceFor = serviceFor;
        this.sim = new Simulation(seed);
        for (int i = 0; i < scenario.n(); i++) {
            replicaIds.add("r" + i);
        }
        List<String> clientIds = new ArrayList<>();
        for (int i = 0; i < scenario.clients(); i++) {
            clientIds.add("c" + i);
        }
        List<String> all = new ArrayList<>(replicaIds);
        all.addAll(clientIds);
        if (scenario.ed25519()) {
            var random = NodeKey.seededRandom(seed);
            List<NodeKey> keys = new ArrayList<>();
            for (String id : all) {
                keys.add(NodeKey.generate(id, random));
            }
            KeyRing ring = KeyRing.of(keys);
            for (NodeKey k : keys) {
                nodeKeys.put(k.id(), k);
                // retransmissions and replays are verified once with Ed25519, then by hash (see CachingAuthenticator)
                auths.put(k.id(), new CachingAuthenticator(new Ed25519Authenticator(k, ring), 4_096));
            }
        } else {
            var secrets = HmacAuthenticator.secretsFor(all, seed);
            for (String id : all) {
                auths.put(id, new HmacAuthenticator(id, secrets));
            }
        }
        config = PbftConfig.defaults(replicaIds)
                .withBatching(scenario.maxBatch(), 2)
                .withCheckpoints(8, 24)
                .withTimeouts(500, 500, 60);
        net = new SimNetwork<>(sim, new NetworkConditions(1, 20, scenario.lossRate(), 0.02), this::deliver);
        for (int i = 0; i < scenario.n(); i++) {
            String id = replicaIds.get(i);
            PbftCore core = new PbftCore(config, auths.get(id), serviceFor.apply(id));
            Byzantine.Kind kind = scenario.faults().get(i);
            if (kind == null || kind == Byzantine.Kind.PARTITIONED || kind == Byzantine.Kind.RESTARTED) {
                replicas.put(id, SimNode.correct(core));
                lastExecuted.put(id, 0L);
            } else {
                faulty.add(id);
                replicas.put(id, Byzantine.of(kind, core, auths.get(id), replicaIds, sim.random()));
            }
        }
        for (String id : clientIds) {
            clients.put(id, new PbftClient(config, auths.get(id), 400));
        }
        sim.afterEachStep(() -> {
            if (violation != null) {
                throw new AssertionError(violation);
            }
        });
    }

    boolean correct(String replica) {
        return !faulty.contains(replica);
    }

    void start() {
        for (SimNode node : replicas.values()) {
            route(node.id(), node.start(sim.now()));
        }
        for (PbftClient client : clients.values()) {
            for (int i = 0; i < scenario.requestsPerClient(); i++) {
                route(client.id(), client.submit("op-" + client.id() + "-" + i, sim.now()));
            }
        }
    }

    /** Brings a crashed replica back with the state it had (timers and in-flight messages were lost). */
    void restart(String replica) {
        net.restart(replica);
        route(replica, replicas.get(replica).start(sim.now()));
    }

    /**
     * Brings a crashed correct replica back as a new process would: a fresh core and service, recovered from nothing
     * but the events it persisted.
     */
    void restartFromJournal(String replica) {
        PbftCore core = new PbftCore(config, auths.get(replica), serviceFor.apply(replica));
        core.recover(DurableState.initial().applyAll(journals.getOrDefault(replica, List.of())));
        replicas.put(replica, SimNode.correct(core));
        restart(replica);
    }

    /** Submits an operation for a client now. */
    void submit(String client, String operation) {
        route(client, clients.get(client).submit(operation, sim.now()));
    }

    boolean allClientsDone() {
        return clients.values().stream().allMatch(PbftClient::idle);
    }

    private void deliver(String from, String to, PbftMessage message) {
        PbftInput input = new PbftInput.Deliver(message);
        SimNode node = replicas.get(to);
        if (node != null) {
            route(to, node.step(input, sim.now()));
        } else {
            PbftClient client = clients.get(to);
            route(to, client.step(input, sim.now()));
        }
    }

    private void timer(String owner, TimerKind kind) {
        PbftInput input = new PbftInput.TimerFired(kind);
        SimNode node = replicas.get(owner);
        route(owner, node != null ? node.step(input, sim.now()) : clients.get(owner).step(input, sim.now()));
    }

    private void route(String from, List<PbftOutput> outputs) {
        for (PbftOutput o : outputs) {
            if (o instanceof PbftOutput.Send s) {
                net.send(from, s.to(), s.message());
            } else if (o instanceof PbftOutput.Broadcast b) {
                if (b.message() instanceof PbftMessage.NewView nv && correct(from)
                        && nv.prePrepares().stream().anyMatch(pp -> !pp.batch().isEmpty())) {
                    newViewsCarryingRequests++;
                }
                for (String r : replicaIds) {
                    if (!r.equals(from)) {
                        net.send(from, r, b.message());
                    }
                }
            } else if (o instanceof PbftOutput.ReplyToClient r) {
                net.send(from, r.client(), r.reply());
            } else if (o instanceof PbftOutput.SetTimer t) {
                net.timer(from, t.delayMillis(), () -> timer(from, t.kind()));
            } else if (o instanceof PbftOutput.Persist p) {
                journals.computeIfAbsent(from, r -> new ArrayList<>()).add(p.event());
            } else if (o instanceof PbftOutput.Executed e) {
                onExecuted(from, e);
            } else if (o instanceof PbftOutput.StateTransferred st) {
                if (correct(from)) {
                    lastExecuted.put(from, st.seq());
                    stateTransfers++;
                }
            } else if (o instanceof PbftOutput.ViewChangeStarted) {
                if (correct(from)) {
                    viewChangesStarted++;
                }
            } else if (o instanceof PbftOutput.Completed c) {
                onCompleted(from, c);
            }
        }
    }

    private void fail(String message) {
        if (violation == null) {
            violation = message + " (t=" + sim.now() + ")";
        }
    }

    private void onExecuted(String replica, PbftOutput.Executed e) {
        if (!correct(replica)) {
            return;
        }
        executions++;
        long last = lastExecuted.get(replica);
        if (e.seq() != last + 1) {
            fail(replica + " executed seq " + e.seq() + " after " + last + ": not in sequence order");
        }
        lastExecuted.put(replica, e.seq());
        String had = committed.putIfAbsent(e.seq(), e.digest());
        if (had != null && !had.equals(e.digest())) {
            fail("SAFETY: correct replicas executed different batches at seq " + e.seq() + ": " + had + " vs "
                    + e.digest() + " (at " + replica + ")");
        }
        for (int i = 0; i < e.batch().size(); i++) {
            String key = e.batch().get(i).key();
            String result = e.results().get(i);
            String prev = resultOf.putIfAbsent(key, result);
            if (prev != null && !prev.equals(result)) {
                fail("SAFETY: request " + key + " has results " + prev + " and " + result);
            }
            String accepted = clientAccepted.get(key);
            if (accepted != null && !accepted.equals(result)) {
                fail("client accepted " + accepted + " for " + key + " but " + replica + " computed " + result);
            }
        }
    }

    private void onCompleted(String client, PbftOutput.Completed c) {
        String key = client + "@" + c.timestamp();
        clientAccepted.put(key, c.result());
        String executed = resultOf.get(key);
        if (executed != null && !executed.equals(c.result())) {
            fail("client " + client + " accepted " + c.result() + " for " + key + " but correct replicas computed " + executed);
        }
        accepted.computeIfAbsent(client, k -> new ArrayList<>()).add(c.result());
        if (c.operation().startsWith("op-") && !c.operation().equals("op-" + client + "-" + (c.timestamp() - 1))) {
            fail("client " + client + " completed " + c.operation() + " with timestamp " + c.timestamp());
        }
    }

    /** Drop counts summed over correct replicas. */
    Map<DropReason, Long> correctDrops() {
        Map<DropReason, Long> sum = new TreeMap<>();
        for (SimNode node : replicas.values()) {
            if (correct(node.id())) {
                node.core().dropCounts().forEach((k, v) -> sum.merge(k, v, Long::sum));
            }
        }
        return sum;
    }

    long maxViewChangesCompleted() {
        return replicas.values().stream().filter(r -> correct(r.id()))
                .mapToLong(r -> r.core().viewChangesCompleted()).max().orElse(0);
    }

    long maxStableCheckpoint() {
        return replicas.values().stream().filter(r -> correct(r.id()))
                .mapToLong(r -> r.core().stableCheckpoint()).max().orElse(0);
    }

    int maxLogSize() {
        return replicas.values().stream().filter(r -> correct(r.id()))
                .mapToInt(r -> r.core().logSize()).max().orElse(0);
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        for (SimNode node : replicas.values()) {
            PbftCore c = node.core();
            sb.append(String.format("%n  %s%s view=%d active=%s exec=%d stable=%d vcs=%d drops=%s", node.id(),
                    correct(node.id()) ? "" : "(faulty)", c.view(), c.viewActive(), c.lastExecuted(),
                    c.stableCheckpoint(), c.viewChangesCompleted(), c.dropCounts()));
        }
        for (PbftClient client : clients.values()) {
            sb.append(String.format("%n  %s completed=%d retransmissions=%d", client.id(), client.completed(),
                    client.retransmissions()));
        }
        return sb.toString();
    }
}

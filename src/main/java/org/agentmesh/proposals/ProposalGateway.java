package org.agentmesh.proposals;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.agentmesh.pbft.EncodedPublicKey;
import org.agentmesh.pbft.KeyRing;
import org.agentmesh.pbft.NodeKey;
import org.agentmesh.pbft.PbftClient;
import org.agentmesh.pbft.PbftConfig;
import org.agentmesh.pbft.PbftInput;
import org.agentmesh.pbft.PbftMessage;
import org.agentmesh.pbft.PbftOutput;
import org.agentmesh.pbft.TimerKind;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The node's pBFT client for one swarm (node-local, one per swarm and node): submits ledger commands to the committee
 * and answers once f+1 replicas sent matching replies, so up to f lying replicas cannot fake a result.
 *
 * <p>Its client id is {@code firstMember|thisActorsAddress}, signed with the first member's key: each gateway
 * incarnation is a fresh client for the replicas. Before any caller's command it registers every member's public key
 * in the ledger (idempotent). Commands are ordered one at a time, in arrival order (that is what {@link PbftClient}
 * does); callers that wait longer than their ask timeout still get their command executed.
 */
public final class ProposalGateway extends AbstractBehavior<ProposalGateway.Command> {

    public sealed interface Command extends CborSerializable permits PbftEnvelope, Submit, GetLatencies, Ready, Failed,
            Fired {}

    /** Orders a JSON-encoded {@link ProposalCommand}; the reply is the ledger's result as f+1 replicas reported it. */
    public record Submit(String operation, ActorRef<ProposalResult> replyTo) implements Command {}

    /** Request latencies (submit to f+1 matching replies) measured here, most recent last. */
    public record GetLatencies(ActorRef<Latencies> replyTo) implements Command {}

    public record Latencies(List<Long> millis) implements CborSerializable {}

    record Ready(List<String> committee, NodeKey clientKey, Map<String, EncodedPublicKey> keys) implements Command {}

    record Failed(String reason) implements Command {}

    record Fired(TimerKind kind) implements Command {}

    private record Waiting(String operation, ActorRef<ProposalResult> replyTo, long startNanos) {}

    public static Behavior<Command> create(String swarmId, SwarmDirectory directory, PbftSettings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ProposalGateway(ctx, timers, swarmId, directory, settings)));
    }

    private final TimerScheduler<Command> timers;
    private final String swarmId;
    private final PbftSettings settings;
    private final ClusterSharding sharding;
    private final ProposalCodec codec = new ProposalCodec();
    private final ArrayDeque<Submit> early = new ArrayDeque<>();
    private final ArrayDeque<Waiting> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Long> latencies = new ArrayDeque<>();
    private PbftClient client;
    private List<String> committee = List.of();

    private ProposalGateway(ActorContext<Command> ctx, TimerScheduler<Command> timers, String swarmId, SwarmDirectory directory,
            PbftSettings settings) {
        super(ctx);
        this.timers = timers;
        this.swarmId = swarmId;
        this.settings = settings;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        ctx.pipeToSelf(directory.members(swarmId).thenCompose(all -> {
            List<String> ids = all.stream().map(Voter::agentId).toList();
            List<String> committee = settings.committee(ids);
            if (committee.isEmpty()) {
                throw new IllegalStateException("swarm " + swarmId + " has fewer than 4 agents");
            }
            List<CompletableFuture<NodeKey>> keys = new ArrayList<>();
            for (String id : ids) {
                keys.add(directory.key(swarmId, id, id.equals(ids.get(0))).toCompletableFuture());
            }
            return CompletableFuture.allOf(keys.toArray(CompletableFuture[]::new)).thenApply(done -> {
                Map<String, EncodedPublicKey> ring = new TreeMap<>();
                keys.forEach(k -> ring.put(k.join().id(), k.join().encodedPublicKey()));
                return (Command) new Ready(committee, keys.get(0).join(), ring);
            });
        }), (ready, error) -> error == null ? ready : new Failed(String.valueOf(error.getMessage())));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Ready.class, this::onReady)
                .onMessage(Failed.class, f -> {
                    // a gateway that cannot start answers every waiting caller and stops; the next call creates a new one
                    early.forEach(s -> s.replyTo().tell(ProposalResult.refused("consensus unavailable: " + f.reason())));
                    return Behaviors.stopped();
                })
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(PbftEnvelope.class, e -> {
                    if (client != null) {
                        carryOut(client.step(new PbftInput.Deliver(e.message()), System.currentTimeMillis()));
                    }
                    return this;
                })
                .onMessage(Fired.class, f -> {
                    if (client != null) {
                        carryOut(client.step(new PbftInput.TimerFired(f.kind()), System.currentTimeMillis()));
                    }
                    return this;
                })
                .onMessage(GetLatencies.class, g -> {
                    g.replyTo().tell(new Latencies(List.copyOf(latencies)));
                    return this;
                })
                .build();
    }

    private Behavior<Command> onReady(Ready ready) {
        committee = ready.committee();
        PbftConfig config = settings.config(committee);
        String address = ActorRefResolver.get(getContext().getSystem()).toSerializationFormat(getContext().getSelf());
        KeyRing ring = new KeyRing(ready.keys());
        client = new PbftClient(config, new SwarmAuthenticator(SwarmAuthenticator.clientId(ready.clientKey().id(), address),
                ready.clientKey(), ring), settings.clientRetransmit().toMillis());
        long now = System.currentTimeMillis();
        for (Map.Entry<String, EncodedPublicKey> k : ready.keys().entrySet()) {
            String op = codec.encode(new ProposalCommand.RegisterAgent(k.getKey(), k.getValue(), now));
            submit(new Submit(op, getContext().getSystem().ignoreRef()));
        }
        while (!early.isEmpty()) {
            submit(early.poll());
        }
        return this;
    }

    private Behavior<Command> onSubmit(Submit s) {
        if (client == null) {
            early.add(s);
        } else {
            submit(s);
        }
        return this;
    }

    private void submit(Submit s) {
        inFlight.add(new Waiting(s.operation(), s.replyTo(), System.nanoTime()));
        carryOut(client.submit(s.operation(), System.currentTimeMillis()));
    }

    private void carryOut(List<PbftOutput> outputs) {
        for (PbftOutput o : outputs) {
            if (o instanceof PbftOutput.Send s) {
                send(s.to(), s.message());
            } else if (o instanceof PbftOutput.Broadcast b) {
                committee.forEach(r -> send(r, b.message()));
            } else if (o instanceof PbftOutput.SetTimer t) {
                timers.startSingleTimer(t.kind(), new Fired(t.kind()), Duration.ofMillis(t.delayMillis()));
            } else if (o instanceof PbftOutput.CancelTimer c) {
                timers.cancel(c.kind());
            } else if (o instanceof PbftOutput.Completed c) {
                Waiting w = inFlight.poll();
                if (w == null) {
                    continue;
                }
                latencies.add((System.nanoTime() - w.startNanos()) / 1_000_000);
                while (latencies.size() > 1000) {
                    latencies.poll();
                }
                ProposalResult result;
                try {
                    result = codec.decodeResult(c.result());
                } catch (IllegalArgumentException e) {
                    result = ProposalResult.refused("undecodable result");
                }
                w.replyTo().tell(result);
            }
        }
    }

    private void send(String replica, PbftMessage m) {
        sharding.entityRefFor(PbftReplica.TYPE_KEY, PbftReplica.entityId(swarmId, replica)).tell(new PbftEnvelope(m));
    }
}

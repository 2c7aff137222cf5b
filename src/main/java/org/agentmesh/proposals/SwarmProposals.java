package org.agentmesh.proposals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Proposals of a swarm, on this node: propose, vote (signed by the agent's key where it lives), read a proposal (the
 * answer f+1 replicas agree on), and consensus metrics. {@code AgentMesh} exposes these; commands go through this
 * node's {@link ProposalGateway} of the swarm.
 */
public final class SwarmProposals {

    /** What a caller proposes; {@code id}, {@code proposer}, threshold and deadline are optional. */
    public record ProposeRequest(Optional<String> id, Optional<String> proposer, JsonNode proposal,
            Optional<Double> threshold, Optional<Duration> deadline) {}

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final SwarmDirectory directory;
    private final PbftSettings settings;
    private final Duration askTimeout;
    private final ProposalCodec codec = new ProposalCodec();
    private final Map<String, ActorRef<ProposalGateway.Command>> gateways = new ConcurrentHashMap<>();

    public SwarmProposals(ActorSystem<?> system, SwarmDirectory directory, Duration askTimeout) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.directory = directory;
        this.settings = PbftSettings.from(system.settings().config());
        this.askTimeout = askTimeout;
    }

    /** Starts sharding of the replicas on this node; must run before swarms recover (they wake their committee). */
    public void initSharding() {
        sharding.init(Entity.of(PbftReplica.TYPE_KEY, ctx -> PbftReplica.create(ctx.getEntityId(), directory, settings)));
    }

    public PbftSettings settings() {
        return settings;
    }

    /** Wakes the committee replicas of a swarm (they look the swarm up and start). */
    public static void wakeCommittee(ActorSystem<?> system, String swarmId, List<String> members) {
        ClusterSharding sharding = ClusterSharding.get(system);
        for (String agent : PbftSettings.from(system.settings().config()).committee(members)) {
            sharding.entityRefFor(PbftReplica.TYPE_KEY, PbftReplica.entityId(swarmId, agent)).tell(new PbftReplica.Wake());
        }
    }

    /** Stops the committee replicas of a swarm that shut down. */
    public void stopCommittee(String swarmId, List<String> members) {
        for (String agent : settings.committee(members)) {
            sharding.entityRefFor(PbftReplica.TYPE_KEY, PbftReplica.entityId(swarmId, agent)).tell(new PbftReplica.Stop());
        }
        ActorRef<ProposalGateway.Command> gateway = gateways.remove(swarmId);
        if (gateway != null) {
            system.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(gateway));
        }
    }

    private ActorRef<ProposalGateway.Command> gateway(String swarmId) {
        return gateways.computeIfAbsent(swarmId, id -> system.systemActorOf(ProposalGateway.create(id, directory, settings),
                "pbft-gateway-" + id + "-" + UUID.randomUUID().toString().substring(0, 8), Props.empty()));
    }

    /** Orders one command through pBFT; fails with {@link ConsensusUnavailable} if no f+1 answer arrives in time. */
    private CompletionStage<ProposalResult> order(String swarmId, ProposalCommand command) {
        ActorRef<ProposalGateway.Command> gateway = gateway(swarmId);
        String op = codec.encode(command);
        return AskPattern.<ProposalGateway.Command, ProposalResult>ask(gateway, r -> new ProposalGateway.Submit(op, r),
                settings.submitTimeout(), system.scheduler()).handle((result, error) -> {
                    if (error != null) {
                        // a gateway that stopped (it could not start) or is stuck is replaced by the next call
                        if (gateways.remove(swarmId, gateway)) {
                            system.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(gateway));
                        }
                        throw new ConsensusUnavailable("the pBFT committee of swarm '" + swarmId + "' did not answer within "
                                + settings.submitTimeout().toMillis() + " ms");
                    }
                    if (!result.accepted() && result.reason().startsWith("consensus unavailable")) {
                        gateways.remove(swarmId, gateway);
                        throw new ConsensusUnavailable(result.reason());
                    }
                    return result;
                });
    }

    private CompletionStage<List<Voter>> membersWithCommittee(String swarmId) {
        return directory.members(swarmId).thenApply(members -> {
            if (settings.committee(members.stream().map(Voter::agentId).toList()).isEmpty()) {
                throw new CommandRefused(CommandRefused.Kind.CONFLICT, "agents", "swarm '" + swarmId + "' has "
                        + members.size() + " agents; pBFT needs at least 4 (n = 3f+1)");
            }
            return members;
        });
    }

    public CompletionStage<ProposalStatus> propose(String swarmId, ProposeRequest request) {
        String id = request.id().orElseGet(() -> "p-" + UUID.randomUUID());
        double threshold = request.threshold().orElse(settings.defaultThreshold());
        Duration deadline = request.deadline().orElse(settings.defaultDeadline());
        return membersWithCommittee(swarmId).thenCompose(members -> {
            List<String> ids = members.stream().map(Voter::agentId).toList();
            String proposer = request.proposer().orElse(ids.get(0));
            if (!ids.contains(proposer)) {
                throw new org.agentmesh.proposals.CommandRefused(CommandRefused.Kind.INVALID, "proposer",
                        "swarm '" + swarmId + "' has no agent '" + proposer + "'");
            }
            long now = System.currentTimeMillis();
            return order(swarmId, new ProposalCommand.Propose(id, proposer, request.proposal(), threshold,
                    now + deadline.toMillis(), ids, now));
        }).thenApply(result -> {
            if (!result.accepted()) {
                throw CommandRefused.of(id, result.reason());
            }
            return result.statuses().get(0);
        });
    }

    /**
     * Votes on an agent's behalf: the ballot is signed with the agent's key (or {@code signature}, made elsewhere, is
     * used as given). Completes with the proposal's status after the vote.
     */
    public CompletionStage<ProposalStatus> vote(String swarmId, String proposalId, String agentId, Choice choice,
            Optional<String> signature) {
        return membersWithCommittee(swarmId).thenCompose(members -> {
            if (members.stream().noneMatch(m -> m.agentId().equals(agentId))) {
                throw new CommandRefused(CommandRefused.Kind.INVALID, "agentId", "swarm '" + swarmId + "' has no agent '" + agentId + "'");
            }
            CompletionStage<String> signed = signature.<CompletionStage<String>>map(CompletableFuture::completedFuture)
                    .orElseGet(() -> directory.signBallot(swarmId, agentId, proposalId, choice));
            return signed.thenCompose(sig -> order(swarmId,
                    new ProposalCommand.Vote(proposalId, agentId, choice, sig, System.currentTimeMillis())));
        }).thenApply(result -> {
            if (!result.accepted()) {
                throw CommandRefused.of(proposalId, result.reason());
            }
            return result.statuses().get(0);
        });
    }

    /**
     * Reports that an agent departed (left the swarm, or was confirmed failed): ordered through pBFT, so every correct
     * replica drops it from the live set at the same sequence number and recounts the open proposals there. Completes
     * with the statuses that changed; nothing to do for a swarm without a committee or an agent it does not have.
     */
    public CompletionStage<List<ProposalStatus>> agentDeparted(String swarmId, String agentId) {
        return liveSetChange(swarmId, agentId, new ProposalCommand.AgentDeparted(agentId, System.currentTimeMillis()));
    }

    /** Reports that a departed agent is back: eligible again for proposals opened after this is ordered. */
    public CompletionStage<List<ProposalStatus>> agentRejoined(String swarmId, String agentId) {
        return liveSetChange(swarmId, agentId, new ProposalCommand.AgentRejoined(agentId, System.currentTimeMillis()));
    }

    private CompletionStage<List<ProposalStatus>> liveSetChange(String swarmId, String agentId, ProposalCommand command) {
        return directory.members(swarmId).thenCompose(members -> {
            List<String> ids = members.stream().map(Voter::agentId).toList();
            if (settings.committee(ids).isEmpty() || !ids.contains(agentId)) {
                return CompletableFuture.completedFuture(List.<ProposalStatus>of());
            }
            return order(swarmId, command).thenApply(result -> {
                if (!result.accepted()) {
                    throw CommandRefused.of(agentId, result.reason());
                }
                return result.statuses();
            });
        });
    }

    /** The proposal's status as at least f+1 replicas report it (retried while replicas are catching up). */
    public CompletionStage<ProposalStatus> status(String swarmId, String proposalId) {
        return membersWithCommittee(swarmId).thenCompose(members -> {
            List<String> committee = settings.committee(members.stream().map(Voter::agentId).toList());
            return agreedStatus(swarmId, proposalId, committee, 20);
        });
    }

    private CompletionStage<ProposalStatus> agreedStatus(String swarmId, String proposalId, List<String> committee, int triesLeft) {
        return agreedAnswer(swarmId, committee, r -> new PbftReplica.GetProposal(proposalId, r)).thenCompose(agreed -> {
            // an agreed "not found" early on may be a just-submitted command still executing: ask again for a while
            if (agreed.isPresent() && !(agreed.get().isEmpty() && triesLeft > 15)) {
                if (agreed.get().isEmpty()) {
                    throw new ProposalNotFound(proposalId);
                }
                return CompletableFuture.completedFuture(agreed.get().get(0));
            }
            if (triesLeft <= 0) {
                if (agreed.isPresent()) {
                    throw new ProposalNotFound(proposalId);
                }
                throw new ConsensusUnavailable("fewer than f+1 = " + (faultsTolerated(committee) + 1)
                        + " replicas agree on proposal '" + proposalId + "'");
            }
            return later(() -> agreedStatus(swarmId, proposalId, committee, triesLeft - 1));
        });
    }

    /**
     * The {@code limit} newest proposals as at least f+1 replicas report them (so no lying replica can invent one);
     * retried briefly while replicas catch up, then {@link ConsensusUnavailable}.
     */
    public CompletionStage<List<ProposalStatus>> recent(String swarmId, int limit) {
        return membersWithCommittee(swarmId).thenCompose(members ->
                agreedRecent(swarmId, limit, settings.committee(members.stream().map(Voter::agentId).toList()), 10));
    }

    private CompletionStage<List<ProposalStatus>> agreedRecent(String swarmId, int limit, List<String> committee, int triesLeft) {
        return agreedAnswer(swarmId, committee, r -> new PbftReplica.GetRecentProposals(limit, r)).thenCompose(agreed -> {
            if (agreed.isPresent()) {
                return CompletableFuture.completedFuture(agreed.get());
            }
            if (triesLeft <= 0) {
                throw new ConsensusUnavailable("fewer than f+1 = " + (faultsTolerated(committee) + 1)
                        + " replicas agree on the recent proposals");
            }
            return later(() -> agreedRecent(swarmId, limit, committee, triesLeft - 1));
        });
    }

    /**
     * Asks every committee replica the same question; the answer at least f+1 of them give (so at least one correct
     * replica gave it), or empty when no answer has that many (replicas catching up, or too many unreachable).
     */
    private CompletionStage<Optional<List<ProposalStatus>>> agreedAnswer(String swarmId, List<String> committee,
            java.util.function.Function<ActorRef<PbftReplica.ProposalAnswer>, PbftReplica.Command> question) {
        int f = faultsTolerated(committee);
        List<CompletableFuture<Optional<PbftReplica.ProposalAnswer>>> answers = new ArrayList<>();
        for (String agent : committee) {
            answers.add(sharding.entityRefFor(PbftReplica.TYPE_KEY, PbftReplica.entityId(swarmId, agent))
                    .<PbftReplica.ProposalAnswer>ask(question::apply, askTimeout)
                    .thenApply(Optional::of).exceptionally(e -> Optional.empty()).toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<List<ProposalStatus>, Integer> votes = new HashMap<>();
            for (var a : answers) {
                a.join().ifPresent(answer -> votes.merge(answer.status(), 1, Integer::sum));
            }
            return votes.entrySet().stream().filter(e -> e.getValue() >= f + 1).map(Map.Entry::getKey).findFirst();
        });
    }

    private static int faultsTolerated(List<String> committee) {
        return (committee.size() - 1) / 3;
    }

    /** Runs {@code next} after a short pause (100 ms), off the caller's thread. */
    private static <T> CompletionStage<T> later(java.util.function.Supplier<CompletionStage<T>> next) {
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                .thenCompose(x -> next.get());
    }

    public CompletionStage<ConsensusMetrics> metrics(String swarmId) {
        return membersWithCommittee(swarmId).thenCompose(members -> {
            List<String> committee = settings.committee(members.stream().map(Voter::agentId).toList());
            List<CompletableFuture<Optional<PbftReplica.ReplicaMetrics>>> answers = new ArrayList<>();
            for (String agent : committee) {
                answers.add(sharding.entityRefFor(PbftReplica.TYPE_KEY, PbftReplica.entityId(swarmId, agent))
                        .<PbftReplica.ReplicaMetrics>ask(PbftReplica.GetMetrics::new, askTimeout)
                        .thenApply(Optional::of).exceptionally(e -> Optional.empty()).toCompletableFuture());
            }
            CompletableFuture<List<Long>> requestLatencies = AskPattern.<ProposalGateway.Command, ProposalGateway.Latencies>ask(
                    gateway(swarmId), ProposalGateway.GetLatencies::new, askTimeout, system.scheduler())
                    .thenApply(ProposalGateway.Latencies::millis).exceptionally(e -> List.of()).toCompletableFuture();
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenCombine(requestLatencies, (done, req) -> {
                List<PbftReplica.ReplicaMetrics> replicas = answers.stream().map(CompletableFuture::join)
                        .flatMap(Optional::stream).toList();
                return summarize(swarmId, committee, replicas, req);
            });
        });
    }

    static ConsensusMetrics summarize(String swarmId, List<String> committee, List<PbftReplica.ReplicaMetrics> replicas,
            List<Long> requestLatencies) {
        int n = committee.size();
        int f = (n - 1) / 3;
        int responsive = (int) replicas.stream().filter(PbftReplica.ReplicaMetrics::running).count();
        // decisions as the replica that executed most of them saw them (all correct replicas execute the same ones)
        PbftReplica.ReplicaMetrics most = replicas.stream().filter(r -> !r.byzantine())
                .max(java.util.Comparator.comparingLong(PbftReplica.ReplicaMetrics::decisions)).orElse(null);
        List<Long> latencies = most == null ? List.of() : most.decisionLatenciesMillis();
        double participation = most == null || most.participations().isEmpty() ? 0
                : most.participations().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        Map<String, Long> dropped = new TreeMap<>();
        replicas.forEach(r -> r.dropped().forEach((k, v) -> dropped.merge(k, v, Long::sum)));
        // a replica is down when the ledger says its agent departed (confirmed failed, or left) or it does not answer;
        // each one down uses up one of the f faults the committee tolerates
        List<String> departed = most == null ? List.of() : most.departedReplicas();
        java.util.Set<String> down = new java.util.TreeSet<>(departed);
        java.util.Set<String> answering = new java.util.HashSet<>();
        replicas.stream().filter(PbftReplica.ReplicaMetrics::running).forEach(r -> answering.add(r.agentId()));
        committee.stream().filter(id -> !answering.contains(id)).forEach(down::add);
        int live = n - down.size();
        return new ConsensusMetrics(swarmId, n, f, live, Math.max(0, f - down.size()), live >= 2 * f + 1,
                List.copyOf(down), responsive, committee,
                replicas.stream().mapToLong(PbftReplica.ReplicaMetrics::view).max().orElse(0),
                replicas.stream().mapToLong(PbftReplica.ReplicaMetrics::viewChangesStarted).max().orElse(0),
                replicas.stream().mapToLong(PbftReplica.ReplicaMetrics::viewChangesCompleted).max().orElse(0),
                most == null ? 0 : most.decisions(), ConsensusMetrics.Percentiles.of(latencies), participation,
                ConsensusMetrics.Percentiles.of(requestLatencies), dropped, replicas);
    }
}

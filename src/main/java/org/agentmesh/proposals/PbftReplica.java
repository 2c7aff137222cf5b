package org.agentmesh.proposals;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.agentmesh.pbft.CanonicalEncoding;
import org.agentmesh.pbft.DropReason;
import org.agentmesh.pbft.DurableState;
import org.agentmesh.pbft.EncodedPublicKey;
import org.agentmesh.pbft.KeyRing;
import org.agentmesh.pbft.NodeKey;
import org.agentmesh.pbft.PbftClient;
import org.agentmesh.pbft.PbftConfig;
import org.agentmesh.pbft.PbftCore;
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
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One committee agent's pBFT replica: the actor shell around {@link PbftCore} executing the swarm's
 * {@link ProposalLedger}. One Cluster Sharding entity per committee agent, entity id {@code swarmId:agentId}.
 *
 * <p>On start the replica looks its swarm up (the committee is the first n = 3f+1 members), loads the public keys of
 * every member and its own agent's key pair, and what its {@link PbftJournal} child recovered, and then drives the
 * core: protocol messages travel as {@link PbftEnvelope}s between the replicas' entity refs, replies go to the
 * client's address named in its id, timers are Pekko timers. The core's durable events are written to the journal
 * before any output that follows them is carried out, so a replica that moves or restarts (or a whole cluster) comes
 * back with its ledger and never contradicts what it said before; what it missed meanwhile it gets from its peers
 * (retransmission, state transfer at a stable checkpoint).
 *
 * <p>When a Propose executes, the replica lets the members it speaks for (its own agent, plus members beyond the
 * committee whose join index maps to it) vote through the {@link VotePolicy}, unless the proposal object says
 * {@code "autoVote": false}; ballots are signed where the agents' keys
 * live and submitted through the replica's own pBFT client. The replica that is primary submits a Tick when an open
 * proposal passed its deadline.
 */
public final class PbftReplica extends AbstractBehavior<PbftReplica.Command> {

    private static final Logger log = LoggerFactory.getLogger(PbftReplica.class);

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "PbftReplica");

    public static String entityId(String swarmId, String agentId) {
        return swarmId + ":" + agentId;
    }

    /** Signatures remembered per replica as verified (see CachingAuthenticator). */
    private static final int VERIFIED_SIGNATURES_CACHED = 4_096;

    // ---- protocol

    public sealed interface Command extends CborSerializable permits PbftEnvelope, Wake, Stop, GetMetrics, GetProposal, GetRecentProposals,
            Initialized, InitFailed, Fired, BallotSigned, DeadlineCheck, Written, ResetDone {}

    /** Starts the replica if it is not running (sent when its swarm is created or recovers). */
    public record Wake() implements Command {}

    /** The swarm shut down: stop (a later message restarts it, and it stops again when the swarm is not found). */
    public record Stop() implements Command {}

    public record GetMetrics(ActorRef<ReplicaMetrics> replyTo) implements Command {}

    /** Asks this replica's copy of the ledger; callers accept an answer only when f+1 replicas agree. */
    public record GetProposal(String proposalId, ActorRef<ProposalAnswer> replyTo) implements Command {}

    /** Asks this replica's copy of the ledger for its {@code limit} newest proposals (answered as a {@link ProposalAnswer}). */
    public record GetRecentProposals(int limit, ActorRef<ProposalAnswer> replyTo) implements Command {}

    /** {@code status} is empty when this replica does not know the proposal. */
    public record ProposalAnswer(String agentId, long lastExecuted, List<ProposalStatus> status) implements CborSerializable {}

    /** What one replica measured. Latencies are of decisions this replica executed (decidedAt - createdAt). */
    public record ReplicaMetrics(String agentId, boolean running, boolean byzantine, int n, int f, long view,
            boolean primary, long lastExecuted, long stableCheckpoint, long viewChangesStarted, long viewChangesCompleted,
            long decisions, List<Long> decisionLatenciesMillis, List<Double> participations,
            Map<String, Long> dropped, long votesSubmitted, long votesRefused, List<String> departedReplicas,
            long replayed) implements CborSerializable {}

    record Initialized(List<String> committee, List<Voter> members, NodeKey own, Map<String, EncodedPublicKey> keys,
            DurableState durable) implements Command {}

    /** From the {@link PbftJournal}: write {@code batch} is durable. */
    public record Written(long batch) implements Command {}

    /** From the {@link PbftJournal}: reset, the replica may stop. */
    public record ResetDone() implements Command {}

    /** An output of the core waiting for write {@code needs} (and for the outputs before it). */
    private record Held(PbftOutput output, boolean fromClient, long needs) {}

    record InitFailed(String reason, boolean swarmGone) implements Command {}

    record Fired(TimerKind kind) implements Command {}

    record BallotSigned(String proposalId, String agentId, Choice choice, String signature) implements Command {}

    record DeadlineCheck() implements Command {}

    // ---- behaviour

    public static Behavior<Command> create(String entityId, SwarmDirectory directory, PbftSettings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new PbftReplica(ctx, timers, entityId, directory, settings)));
    }

    private static final int LATENCY_SAMPLES = 1000;

    private final TimerScheduler<Command> timers;
    private final String swarmId;
    private final String agentId;
    private final SwarmDirectory directory;
    private final PbftSettings settings;
    private final ClusterSharding sharding;
    private final ActorRefResolver resolver;
    private final boolean byzantine;
    /** The test hook's mode, or null for a correct replica. */
    private final PbftSettings.ByzantineMode mode;
    /** REPLAY mode: protocol messages received from others, re-sent later. */
    private final ArrayDeque<PbftMessage> heard = new ArrayDeque<>();
    private long replayed;
    private final ProposalCodec codec = new ProposalCodec();
    private final ProposalLedger ledger = new ProposalLedger();
    private final VotePolicy policy = new ValidatingVotePolicy();

    private PbftCore core;
    private PbftClient client;
    private NodeKey ownKey;
    private List<String> committee = List.of();
    private List<Voter> members = List.of();
    private boolean initializing;
    private final Set<String> decided = new HashSet<>();
    private final ArrayDeque<Long> latencies = new ArrayDeque<>();
    private final ArrayDeque<Double> participations = new ArrayDeque<>();
    private long decisions;
    private final Map<String, Long> shellDrops = new TreeMap<>();
    private long votesSubmitted;
    private long votesRefused;
    /** Operations of the replica's own client, in submission order (it completes them in that order). */
    private final ArrayDeque<String> ownOps = new ArrayDeque<>();
    private boolean tickOutstanding;
    // persistence: the core's durable events are written before any output that follows them is carried out
    private final ActorRef<PbftJournal.Command> journal;
    private final List<org.agentmesh.pbft.DurableEvent> unwritten = new ArrayList<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long writesIssued;
    private long writesDone;
    private boolean writing;
    private boolean stopping;

    private PbftReplica(ActorContext<Command> ctx, TimerScheduler<Command> timers, String entityId, SwarmDirectory directory,
            PbftSettings settings) {
        super(ctx);
        this.timers = timers;
        this.swarmId = entityId.substring(0, entityId.indexOf(':'));
        this.agentId = entityId.substring(entityId.indexOf(':') + 1);
        this.directory = directory;
        this.settings = settings;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        this.resolver = ActorRefResolver.get(ctx.getSystem());
        this.mode = settings.byzantine(swarmId, agentId).orElse(null);
        this.byzantine = mode != null;
        if (byzantine) {
            log.warn("replica {}:{} is byzantine ({}) by test hook", swarmId, agentId, mode);
        }
        // a journal that fails (a write refused) takes the replica with it; it recovers on the next message
        this.journal = ctx.spawn(PbftJournal.create(entityId), "journal");
        ctx.watch(journal);
        initialize();
    }

    private void initialize() {
        if (initializing || core != null) {
            return;
        }
        initializing = true;
        getContext().pipeToSelf(directory.members(swarmId).thenCompose(all -> {
            List<String> ids = all.stream().map(Voter::agentId).toList();
            List<String> committee = settings.committee(ids);
            if (!committee.contains(agentId)) {
                throw new IllegalStateException(agentId + " is not on the committee of " + swarmId);
            }
            List<CompletableFuture<NodeKey>> keys = ids.stream()
                    .map(id -> directory.key(swarmId, id, id.equals(agentId)).toCompletableFuture()).toList();
            CompletableFuture<DurableState> durable = AskPattern.<PbftJournal.Command, DurableState>ask(journal,
                    PbftJournal.Load::new, settings.submitTimeout(), getContext().getSystem().scheduler()).toCompletableFuture();
            return CompletableFuture.allOf(keys.toArray(CompletableFuture[]::new)).thenCombine(durable, (done, recovered) -> {
                Map<String, EncodedPublicKey> ring = new TreeMap<>();
                NodeKey own = null;
                for (CompletableFuture<NodeKey> k : keys) {
                    NodeKey key = k.join();
                    ring.put(key.id(), key.encodedPublicKey());
                    if (key.id().equals(agentId)) {
                        own = key;
                    }
                }
                return new Initialized(committee, all, own, ring, recovered);
            });
        }), (init, error) -> {
            if (error == null) {
                return init;
            }
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            boolean gone = cause.getClass().getSimpleName().equals("SwarmNotFound") || cause instanceof IllegalStateException;
            return new InitFailed(String.valueOf(cause.getMessage()), gone);
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Initialized.class, this::onInitialized)
                .onMessage(InitFailed.class, this::onInitFailed)
                .onMessage(Wake.class, w -> {
                    initialize();
                    return this;
                })
                .onMessage(Stop.class, this::onStop)
                .onMessage(ResetDone.class, r -> Behaviors.stopped())
                .onMessage(Written.class, this::onWritten)
                .onMessage(PbftEnvelope.class, this::onEnvelope)
                .onMessage(Fired.class, this::onFired)
                .onMessage(BallotSigned.class, this::onBallotSigned)
                .onMessage(DeadlineCheck.class, this::onDeadlineCheck)
                .onMessage(GetMetrics.class, this::onGetMetrics)
                .onMessage(GetProposal.class, g -> {
                    long executed = core == null ? 0 : core.lastExecuted();
                    g.replyTo().tell(new ProposalAnswer(agentId, executed,
                            ledger.status(g.proposalId()).map(List::of).orElse(List.of())));
                    return this;
                })
                .onMessage(GetRecentProposals.class, g -> {
                    long executed = core == null ? 0 : core.lastExecuted();
                    g.replyTo().tell(new ProposalAnswer(agentId, executed, ledger.recent(g.limit())));
                    return this;
                })
                .build();
    }

    private Behavior<Command> onInitialized(Initialized init) {
        initializing = false;
        committee = init.committee();
        members = init.members();
        ownKey = init.own();
        KeyRing ring = new KeyRing(init.keys());
        PbftConfig config = settings.config(committee);
        // retransmitted and replayed messages are verified once with Ed25519, then by hash
        core = new PbftCore(config, new org.agentmesh.pbft.CachingAuthenticator(new SwarmAuthenticator(agentId, ownKey, ring),
                VERIFIED_SIGNATURES_CACHED), ledger);
        core.recover(init.durable());
        if (core.lastExecuted() > 0 || core.view() > 0) {
            log.info("replica {}:{} recovered: view {}, executed through {}, stable checkpoint {}", swarmId, agentId,
                    core.view(), core.lastExecuted(), core.stableCheckpoint());
        }
        String replyAddress = resolver.toSerializationFormat(getContext().getSelf());
        client = new PbftClient(config, new SwarmAuthenticator(SwarmAuthenticator.clientId(agentId, replyAddress), ownKey, ring),
                settings.clientRetransmit().toMillis());
        log.debug("replica {}:{} started, committee {}", swarmId, agentId, committee);
        carryOut(core.start(now()), false);
        timers.startTimerWithFixedDelay("deadline", new DeadlineCheck(), settings.deadlineTick());
        return this;
    }

    private Behavior<Command> onInitFailed(InitFailed failed) {
        initializing = false;
        if (failed.swarmGone()) {
            log.info("replica {}:{} stops: {}", swarmId, agentId, failed.reason());
            return Behaviors.stopped();
        }
        log.info("replica {}:{} could not start yet ({}); retrying", swarmId, agentId, failed.reason());
        timers.startSingleTimer("init", new Wake(), Duration.ofSeconds(1));
        return this;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    private Behavior<Command> onEnvelope(PbftEnvelope envelope) {
        if (stopping) {
            return this; // its journal is being reset: write nothing after it
        }
        if (core == null) {
            shellDrops.merge("NOT_STARTED", 1L, Long::sum); // peers retransmit; nothing is lost for good
            initialize();
            return this;
        }
        if (byzantine && mode == PbftSettings.ByzantineMode.SILENT) {
            return this;
        }
        PbftMessage m = envelope.message();
        if (mode == PbftSettings.ByzantineMode.REPLAY && !m.sender().equals(agentId)
                && (m instanceof PbftMessage.PrePrepare || m instanceof PbftMessage.Prepare
                        || m instanceof PbftMessage.Commit || m instanceof PbftMessage.Checkpoint)) {
            heard.add(m);
            while (heard.size() > 200) {
                heard.poll();
            }
        }
        if (m instanceof PbftMessage.Reply) {
            carryOut(client.step(new PbftInput.Deliver(m), now()), true);
        } else {
            carryOut(core.step(new PbftInput.Deliver(m), now()), false);
        }
        return this;
    }

    private Behavior<Command> onFired(Fired fired) {
        if (core == null || stopping) {
            return this;
        }
        if (fired.kind() == TimerKind.CLIENT_RETRANSMIT) {
            carryOut(client.step(new PbftInput.TimerFired(fired.kind()), now()), true);
        } else {
            carryOut(core.step(new PbftInput.TimerFired(fired.kind()), now()), false);
        }
        return this;
    }

    // ---- carrying out what the core and the client ask

    /**
     * Carries out outputs in order, except that none runs before the durable events emitted ahead of it are written:
     * those outputs wait in {@code held} (timers, sends and replies alike, so order is kept) while the events
     * accumulate into the next write (one journal write at a time, so writes batch under load).
     */
    private void carryOut(List<PbftOutput> outputs, boolean fromClient) {
        for (PbftOutput o : outputs) {
            if (o instanceof PbftOutput.Persist p) {
                unwritten.add(p.event());
                continue;
            }
            long needs = !unwritten.isEmpty() ? writesIssued + 1 : held.isEmpty() ? 0 : held.peekLast().needs();
            if (needs > writesDone) {
                held.add(new Held(o, fromClient, needs));
            } else {
                perform(o, fromClient);
            }
        }
        flush();
    }

    private void flush() {
        if (!writing && !unwritten.isEmpty()) {
            writing = true;
            writesIssued++;
            journal.tell(new PbftJournal.Append(writesIssued, List.copyOf(unwritten), getContext().getSelf()));
            unwritten.clear();
        }
    }

    private Behavior<Command> onWritten(Written w) {
        writing = false;
        writesDone = w.batch();
        while (!held.isEmpty() && held.peek().needs() <= writesDone) {
            Held h = held.poll();
            perform(h.output(), h.fromClient());
        }
        flush();
        return this;
    }

    private Behavior<Command> onStop(Stop stop) {
        if (!stopping) {
            stopping = true; // the swarm shut down: forget its ledger, so a swarm created again under its id starts empty
            journal.tell(new PbftJournal.Reset(getContext().getSelf()));
        }
        return this;
    }

    private void perform(PbftOutput o, boolean fromClient) {
        {
            if (o instanceof PbftOutput.Send s) {
                sendTo(s.to(), fromClient ? s.message() : tamper(s.message()));
            } else if (o instanceof PbftOutput.Broadcast b && !fromClient && mode == PbftSettings.ByzantineMode.EQUIVOCATE
                    && b.message() instanceof PbftMessage.PrePrepare pp) {
                equivocate(pp);
            } else if (o instanceof PbftOutput.Broadcast b) {
                PbftMessage m = fromClient ? b.message() : tamper(b.message());
                for (String peer : committee) {
                    if (fromClient || !peer.equals(agentId)) {
                        sendTo(peer, m);
                    }
                }
            } else if (o instanceof PbftOutput.ReplyToClient r) {
                replyTo(r.client(), r.reply());
            } else if (o instanceof PbftOutput.SetTimer t) {
                timers.startSingleTimer(t.kind(), new Fired(t.kind()), Duration.ofMillis(t.delayMillis()));
            } else if (o instanceof PbftOutput.CancelTimer c) {
                timers.cancel(c.kind());
            } else if (o instanceof PbftOutput.Executed e) {
                onExecuted(e);
            } else if (o instanceof PbftOutput.Completed c) {
                onOwnCompleted(c);
            } else if (o instanceof PbftOutput.ViewChanged v) {
                log.info("replica {}:{} installed view {} (primary {})", swarmId, agentId, v.view(), v.primary());
            } else if (o instanceof PbftOutput.Dropped d && d.reason() == DropReason.BAD_SIGNATURE) {
                log.debug("replica {}:{} dropped a {} with a bad signature claiming {}", swarmId, agentId, d.messageType(),
                        d.claimedSender());
            }
        }
    }

    private void sendTo(String peer, PbftMessage m) {
        if (byzantine && mode == PbftSettings.ByzantineMode.SILENT) {
            return;
        }
        sharding.entityRefFor(TYPE_KEY, entityId(swarmId, peer)).tell(new PbftEnvelope(m));
    }

    private void replyTo(String clientId, PbftMessage.Reply reply) {
        String address = SwarmAuthenticator.replyAddressOf(clientId);
        if (address.isEmpty()) {
            shellDrops.merge("NO_REPLY_ADDRESS", 1L, Long::sum);
            return;
        }
        if (byzantine && mode == PbftSettings.ByzantineMode.SILENT) {
            return;
        }
        PbftMessage.Reply sent = reply;
        if (byzantine) {
            // a lie, properly signed: the client must not accept it without f other replicas saying the same
            PbftMessage.Reply lie = new PbftMessage.Reply(reply.view(), reply.timestamp(), reply.client(),
                    codec.encode(ProposalResult.ok(List.of())), reply.sender(), "");
            sent = lie.withSignature(signAs(lie));
        }
        try {
            ActorRef<PbftEnvelope> ref = resolver.resolveActorRef(address);
            ref.tell(new PbftEnvelope(sent));
        } catch (RuntimeException e) {
            shellDrops.merge("BAD_REPLY_ADDRESS", 1L, Long::sum);
        }
    }

    private String signAs(PbftMessage m) {
        return new SwarmAuthenticator(agentId, ownKey, new KeyRing(Map.of())).sign(CanonicalEncoding.content(m));
    }

    /**
     * Test hook: an equivocating primary sends each backup another validly signed pre-prepare for the same sequence
     * number (the real batch, an empty one, the batch reversed or shortened), and one backup two of them.
     */
    private void equivocate(PbftMessage.PrePrepare pp) {
        List<String> backups = committee.stream().filter(id -> !id.equals(agentId)).toList();
        for (int i = 0; i < backups.size(); i++) {
            sendTo(backups.get(i), variant(pp, i % 3));
            if (i == 0) {
                sendTo(backups.get(i), variant(pp, 1)); // caught lying: two signed pre-prepares for one slot
            }
        }
    }

    private PbftMessage.PrePrepare variant(PbftMessage.PrePrepare pp, int k) {
        if (k == 0) {
            return pp;
        }
        List<PbftMessage.Request> batch = new ArrayList<>(pp.batch());
        if (k == 1 || batch.size() < 2) {
            batch = k == 1 ? List.of() : batch.subList(0, Math.max(0, batch.size() - 1));
        } else {
            java.util.Collections.reverse(batch);
        }
        PbftMessage.PrePrepare v = new PbftMessage.PrePrepare(pp.view(), pp.seq(), CanonicalEncoding.digest(batch), batch,
                pp.sender(), "");
        return (PbftMessage.PrePrepare) v.withSignature(signAs(v));
    }

    /** Test hook: a replaying replica re-sends up to 20 protocol messages it heard (signed by others) to every peer. */
    private void replay() {
        for (int i = 0; i < 20 && !heard.isEmpty(); i++) {
            PbftMessage old = heard.poll();
            for (String peer : committee) {
                if (!peer.equals(agentId)) {
                    sharding.entityRefFor(TYPE_KEY, entityId(swarmId, peer)).tell(new PbftEnvelope(old));
                    replayed++;
                }
            }
        }
    }

    /** Test hook: a forging replica sends its protocol messages with signatures that do not verify. */
    private PbftMessage tamper(PbftMessage m) {
        if (!byzantine || mode != PbftSettings.ByzantineMode.FORGE) {
            return m;
        }
        byte[] other = ("forged:" + m.signature()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return m.withSignature(new SwarmAuthenticator(agentId, ownKey, new KeyRing(Map.of())).sign(other));
    }

    // ---- the ledger's effects: decisions measured, agents voting

    private void onExecuted(PbftOutput.Executed e) {
        for (int i = 0; i < e.batch().size(); i++) {
            ProposalCommand command;
            ProposalResult result;
            try {
                command = codec.decodeCommand(e.batch().get(i).operation());
                result = codec.decodeResult(e.results().get(i));
            } catch (IllegalArgumentException bad) {
                continue;
            }
            for (ProposalStatus s : result.statuses()) {
                if (s.decision() != Decision.OPEN && decided.add(s.proposalId())) {
                    decisions++;
                    ledger.proposal(s.proposalId()).ifPresent(p -> {
                        latencies.add(Math.max(0, p.decidedAtMillis() - p.createdAtMillis()));
                        participations.add(s.tally().participation());
                        while (latencies.size() > LATENCY_SAMPLES) {
                            latencies.poll();
                            participations.poll();
                        }
                    });
                }
            }
            if (settings.autoVote() && command instanceof ProposalCommand.Propose p && result.accepted()) {
                voteOn(p.proposalId());
            }
        }
    }

    /**
     * The members this replica votes for: those whose join index maps to its index among the live committee replicas
     * (so the members a departed replica spoke for are taken over; the ledger says who departed, at this sequence number).
     */
    private List<Voter> represented() {
        Set<String> departed = ledger.departed();
        List<String> live = committee.stream().filter(id -> !departed.contains(id)).toList();
        int me = live.indexOf(agentId);
        List<Voter> mine = new ArrayList<>();
        for (int i = 0; i < members.size() && me >= 0; i++) {
            if (i % live.size() == me) {
                mine.add(members.get(i));
            }
        }
        return mine;
    }

    private void voteOn(String proposalId) {
        Proposal proposal = ledger.proposal(proposalId).orElseThrow();
        if (!proposal.proposal().path("autoVote").asBoolean(true)) {
            return; // the proposer asked for votes from outside only (through the API)
        }
        LiveAgents live = new LiveAgents(members.stream().collect(Collectors.toMap(Voter::agentId,
                v -> Set.copyOf(v.capabilities()), (a, b) -> a, LinkedHashMap::new)));
        for (Voter voter : represented()) {
            if (!proposal.eligible().contains(voter.agentId())) {
                continue;
            }
            Choice choice = policy.decide(voter.agentId(), proposal, live);
            if (byzantine) {
                choice = choice == Choice.APPROVE ? Choice.REJECT : Choice.APPROVE;
            }
            Choice chosen = choice;
            getContext().pipeToSelf(directory.signBallot(swarmId, voter.agentId(), proposalId, chosen),
                    (sig, err) -> err == null ? new BallotSigned(proposalId, voter.agentId(), chosen, sig)
                            : new BallotSigned(proposalId, voter.agentId(), chosen, ""));
        }
        if (byzantine && mode == PbftSettings.ByzantineMode.FORGE) {
            // it also tries to vote for a correct member, with its own key: the ledger must refuse it
            members.stream().map(Voter::agentId).filter(id -> !id.equals(agentId)).findFirst().ifPresent(victim -> {
                String forged = new Ballot(proposalId, victim, Choice.APPROVE).sign(ownKey.decodePrivate());
                submitOwn(codec.encode(new ProposalCommand.Vote(proposalId, victim, Choice.APPROVE, forged, now())));
            });
        }
    }

    private Behavior<Command> onBallotSigned(BallotSigned b) {
        if (core == null || b.signature().isEmpty()) {
            votesRefused++;
            return this;
        }
        submitOwn(codec.encode(new ProposalCommand.Vote(b.proposalId(), b.agentId(), b.choice(), b.signature(), now())));
        if (byzantine && mode == PbftSettings.ByzantineMode.FORGE && b.agentId().equals(agentId)) {
            // and votes a second time, the other way
            Choice other = b.choice() == Choice.APPROVE ? Choice.REJECT : Choice.APPROVE;
            String sig = new Ballot(b.proposalId(), agentId, other).sign(ownKey.decodePrivate());
            submitOwn(codec.encode(new ProposalCommand.Vote(b.proposalId(), agentId, other, sig, now())));
        }
        return this;
    }

    private void submitOwn(String operation) {
        ownOps.add(operation);
        carryOut(client.submit(operation, now()), true);
    }

    private void onOwnCompleted(PbftOutput.Completed c) {
        ownOps.poll();
        ProposalCommand command;
        ProposalResult result;
        try {
            command = codec.decodeCommand(c.operation());
            result = codec.decodeResult(c.result());
        } catch (IllegalArgumentException e) {
            return;
        }
        if (command instanceof ProposalCommand.Vote v) {
            votesSubmitted++;
            if (!result.accepted()) {
                votesRefused++;
                log.debug("vote of {} on {} refused: {}", v.agentId(), v.proposalId(), result.reason());
            }
        } else if (command instanceof ProposalCommand.Tick) {
            tickOutstanding = false;
        }
    }

    private Behavior<Command> onDeadlineCheck(DeadlineCheck check) {
        if (core != null && mode == PbftSettings.ByzantineMode.REPLAY) {
            replay();
        }
        if (core == null || !core.isPrimary() || tickOutstanding || byzantine) {
            return this;
        }
        long now = now();
        if (ledger.hasOpenProposalDueBy(now)) {
            tickOutstanding = true;
            submitOwn(codec.encode(new ProposalCommand.Tick(now)));
        }
        return this;
    }

    private Behavior<Command> onGetMetrics(GetMetrics g) {
        if (core == null) {
            g.replyTo().tell(new ReplicaMetrics(agentId, false, byzantine, 0, 0, 0, false, 0, 0, 0, 0, 0, List.of(),
                    List.of(), Map.copyOf(shellDrops), votesSubmitted, votesRefused, List.of(), replayed));
            return this;
        }
        Map<String, Long> dropped = new TreeMap<>(shellDrops);
        core.dropCounts().forEach((reason, count) -> dropped.merge(reason.name(), count, Long::sum));
        client.dropCounts().forEach((reason, count) -> dropped.merge(reason.name(), count, Long::sum));
        g.replyTo().tell(new ReplicaMetrics(agentId, true, byzantine, committee.size(), core.config().f(), core.view(),
                core.isPrimary(), core.lastExecuted(), core.stableCheckpoint(), core.viewChangesStarted(),
                core.viewChangesCompleted(), decisions, List.copyOf(latencies), List.copyOf(participations), dropped,
                votesSubmitted, votesRefused, committee.stream().filter(ledger.departed()::contains).toList(), replayed));
        return this;
    }
}

package org.agentmesh.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.agentmesh.failure.WriteRefused;
import org.agentmesh.gossip.GossipMember;
import org.agentmesh.gossip.GossipSettings;
import org.agentmesh.gossip.GossipViews;
import org.agentmesh.memory.MeshMemory;
import org.agentmesh.memory.RaftGroup;
import org.agentmesh.memory.RaftMember;
import org.agentmesh.memory.RaftSettings;
import org.agentmesh.strategy.AgentLoad;
import org.agentmesh.swarm.AgentEntity.AgentInfo;
import org.agentmesh.task.AgentWorker;
import org.agentmesh.task.TaskEntity;
import org.agentmesh.task.TaskQueries;
import org.agentmesh.task.TaskRequest;
import org.agentmesh.task.TaskSpec;
import org.agentmesh.task.TaskSpecs;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java entry point of Agent Mesh inside any Pekko application: {@code AgentMesh.get(system)}.
 *
 * <p>Getting the extension creates the journal schema (when {@code agent-mesh.persistence.create-schema} is on and the
 * journal is pekko-persistence-jdbc) and starts Cluster Sharding for swarms and agents on this node. The actor system
 * must be a cluster system with a journal configured: {@code agent-mesh-node.conf} on the classpath has all of it.
 *
 * <pre>{@code
 * ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "agent-mesh", config);
 * AgentMesh mesh = AgentMesh.get(system);
 * SwarmSpec swarm = mesh.createSwarm(SwarmRequest.of("research", 12)).toCompletableFuture().join();
 * SwarmStatus status = mesh.status("research").toCompletableFuture().join();
 * status.agents().forEach(a -> System.out.println(a.id() + " on " + a.node()));
 * mesh.shutdownSwarm("research");
 * }</pre>
 *
 * Every method is asynchronous; failures arrive as {@link InvalidInput}, {@link SwarmNotFound},
 * {@link SwarmAlreadyExists} or a timeout.
 */
public final class AgentMesh implements Extension {

    private static final Logger log = LoggerFactory.getLogger(AgentMesh.class);

    /** Extension id; use {@link AgentMesh#get}. */
    public static final class Id extends ExtensionId<AgentMesh> {
        private static final Id INSTANCE = new Id();

        private Id() {}

        @Override
        public AgentMesh createExtension(ActorSystem<?> system) {
            return new AgentMesh(system);
        }
    }

    public static AgentMesh get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final SwarmSpecs.Defaults defaults;
    private final Duration askTimeout;
    private final Duration statusTimeout;
    private final Duration shutdownTimeout;
    private final SwarmAgentView agentView;
    private final org.agentmesh.metrics.MeshMetrics metrics = new org.agentmesh.metrics.MeshMetrics();
    private final org.agentmesh.strategy.SchedulingSettings scheduling;
    private final SwarmTaskRouter taskRouter;
    private final java.util.Map<String, org.agentmesh.task.TaskExecutor> executors;
    private final TaskQueries taskQueries;
    private final GossipSettings gossipSettings;
    private final GossipViews gossipViews = new GossipViews();
    private final RaftSettings raftSettings;
    private final MeshMemory memory;
    private final org.agentmesh.proposals.SwarmProposals proposals;
    private final org.agentmesh.failure.FailureSettings failureSettings;
    private final org.agentmesh.failure.PartitionBoard partitionBoard = new org.agentmesh.failure.PartitionBoard();
    private final org.agentmesh.failure.ClusterReachabilityLog reachabilityLog;
    private final FailedAgents failedAgents = new FailedAgents();

    private AgentMesh(ActorSystem<?> system) {
        this.system = system;
        var config = system.settings().config().getConfig("agent-mesh");
        this.defaults = new SwarmSpecs.Defaults(
                config.getInt("swarm.default-max-agents"),
                config.getInt("swarm.max-agents-limit"),
                Strategy.parse(config.getString("swarm.default-strategy")).orElseThrow(
                        () -> new IllegalArgumentException("agent-mesh.swarm.default-strategy: unknown strategy")),
                config.getStringList("swarm.default-capabilities"),
                config.getInt("swarm.default-capacity"));
        this.askTimeout = config.getDuration("http.ask-timeout");
        this.statusTimeout = config.getDuration("swarm.status-timeout");
        this.shutdownTimeout = config.getDuration("swarm.shutdown-timeout");

        createSchemaIfAsked(config.getBoolean("persistence.create-schema"), config.getDuration("persistence.create-schema-timeout"));

        this.sharding = ClusterSharding.get(system);
        ClusterShardingSettings remembered = ClusterShardingSettings.create(system).withRememberEntities(true);
        sharding.init(Entity.of(AgentEntity.TYPE_KEY, ctx -> AgentEntity.create(ctx.getEntityId(), ctx.getShard()))
                .withSettings(remembered)
                .withMessageExtractor(new HashCodeMessageExtractor<>(config.getInt("sharding.agent-shards"))));
        // pBFT replicas before swarms: a recovering swarm wakes its committee
        this.proposals = new org.agentmesh.proposals.SwarmProposals(system, new Directory(), askTimeout);
        proposals.initSharding();
        sharding.init(Entity.of(SwarmEntity.TYPE_KEY, ctx -> SwarmEntity.create(ctx.getEntityId(), ctx.getShard(), this::companionsOf))
                .withSettings(remembered)
                .withMessageExtractor(new HashCodeMessageExtractor<>(config.getInt("sharding.swarm-shards"))));
        sharding.init(Entity.of(SwarmRegistry.TYPE_KEY, ctx -> SwarmRegistry.create()));

        // tasks: the DHT (task id hash -> shard -> node by consistent hashing), and each agent's worker
        var tasks = config.getConfig("tasks");
        this.agentView = new SwarmAgentView(system, this::describe, tasks.getDuration("view-max-age"), statusTimeout, failedAgents);
        this.scheduling = org.agentmesh.strategy.SchedulingSettings.from(system.settings().config());
        this.gossipSettings = GossipSettings.fromConfig(config);
        // routing may read (a little stale) loads from gossip; workers keep asking directly, since stealing needs
        // queue lengths of now, not of a few gossip rounds ago
        SwarmAgentView routingView = gossipSettings.enabled() && gossipSettings.routeByGossip()
                ? new SwarmAgentView(system, this::describe, tasks.getDuration("view-max-age"), statusTimeout, failedAgents, gossipViews)
                : agentView;
        this.taskRouter = new SwarmTaskRouter(routingView, scheduling.assignment());
        this.executors = new java.util.HashMap<>(org.agentmesh.task.TaskExecutors.builtIns());
        if (!tasks.getBoolean("shell-enabled")) {
            executors.remove("shell");
        }
        TaskEntity.Settings taskSettings = new TaskEntity.Settings(tasks.getDuration("lease"), tasks.getInt("max-attempts"), metrics);
        sharding.init(Entity.of(TaskEntity.TYPE_KEY, ctx -> TaskEntity.create(ctx.getEntityId(), ctx.getShard(), taskRouter, taskSettings))
                .withSettings(remembered)
                .withMessageExtractor(new HashCodeMessageExtractor<>(tasks.getInt("task-shards")))
                .withAllocationStrategy(new org.agentmesh.task.ConsistentHashAllocation(tasks.getInt("virtual-nodes"),
                        tasks.getInt("rebalance-max-moves"))));
        AgentWorker.Settings workerSettings = new AgentWorker.Settings(tasks.getDuration("heartbeat"), scheduling.stealTickInterval(),
                scheduling.stealRequestTimeout(), scheduling.stealing());
        // workers and failure detectors share shards and placement, so an agent's detector lives (and dies) with its worker
        sharding.init(Entity.of(AgentWorker.TYPE_KEY, ctx -> AgentWorker.create(ctx.getEntityId(), agentView, executors, workerSettings, metrics))
                .withMessageExtractor(new HashCodeMessageExtractor<>(config.getInt("sharding.agent-shards")))
                .withAllocationStrategy(agentPlacement(tasks)));
        this.taskQueries = new TaskQueries(system);
        if (gossipSettings.enabled()) {
            metrics.gossipGauges(this::gossipGaugeSample);
            GossipMember.Environment environment = new GossipEnvironment();
            sharding.init(Entity.of(GossipMember.TYPE_KEY, ctx -> GossipMember.create(ctx.getEntityId(), ctx.getShard(),
                    environment, gossipSettings, gossipViews)));
        }

        // mesh memory: one Raft member per agent, remembered like the agents; same shards and placement as the workers,
        // so a member lives (and dies) with its agent and a confirmed agent failure is its member's failure
        this.raftSettings = RaftSettings.from(system.settings().config());
        sharding.init(Entity.of(RaftMember.TYPE_KEY, ctx -> RaftMember.create(ctx.getEntityId(), ctx.getShard()))
                .withSettings(remembered)
                .withMessageExtractor(new HashCodeMessageExtractor<>(config.getInt("sharding.agent-shards")))
                .withAllocationStrategy(agentPlacement(tasks)));
        this.memory = new MeshMemory(system, raftSettings, this::raftMembers,
                (swarmId, memberId) -> sharding.entityRefFor(RaftMember.TYPE_KEY, RaftMember.entityId(swarmId, memberId)),
                this::writeGuard);

        // failure detection: one remembered detector entity per agent (comes back elsewhere when its node dies)
        this.failureSettings = org.agentmesh.failure.FailureSettings.from(system.settings().config());
        this.reachabilityLog = new org.agentmesh.failure.ClusterReachabilityLog(system);
        var hooks = new org.agentmesh.failure.FailureDetectorMember.Hooks(
                id -> describe(id).thenApply(found -> SwarmEntity.memberIds(found.spec())),
                AgentMesh::isSwarmNotFound, new DetectorEvents(),
                partitionBoard, failureSettings, Cluster.get(system).selfMember().address().hostPort(), metrics);
        sharding.init(Entity.of(org.agentmesh.failure.FailureDetectorMember.TYPE_KEY,
                        ctx -> org.agentmesh.failure.FailureDetectorMember.create(ctx.getEntityId(), ctx.getShard(), hooks))
                .withSettings(remembered)
                .withMessageExtractor(new HashCodeMessageExtractor<>(config.getInt("sharding.agent-shards")))
                .withAllocationStrategy(agentPlacement(tasks)));
    }

    /** What gossip members learn from the swarm and task layers. */
    private final class GossipEnvironment implements GossipMember.Environment {
        @Override
        public CompletionStage<GossipMember.Profile> profile(String swarmId, String agentId) {
            Duration timeout = gossipSettings.askTimeout();
            return agentRef(swarmId, agentId).<AgentInfo>ask(AgentEntity.GetInfo::new, timeout).thenCompose(info -> {
                if (info.status() != AgentEntity.Status.ACTIVE) {
                    return CompletableFuture.completedFuture(new GossipMember.Profile(false, List.of(), List.of()));
                }
                return swarmRef(swarmId).<SwarmEntity.GetReply>ask(SwarmEntity.Get::new, timeout).thenApply(reply ->
                        reply instanceof SwarmEntity.Found found
                                ? new GossipMember.Profile(true, info.capabilities(), SwarmEntity.memberIds(found.spec()))
                                : new GossipMember.Profile(false, List.of(), List.of()));
            });
        }

        @Override
        public CompletionStage<GossipMember.LoadSample> load(String swarmId, String agentId) {
            return sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, agentId))
                    .<AgentWorker.Load>ask(AgentWorker.GetLoad::new, gossipSettings.askTimeout())
                    .thenApply(l -> new GossipMember.LoadSample((double) (l.running() + l.queued()) / Math.max(1, l.capacity()),
                            l.executed() == 0 ? 0.5 : (double) l.succeeded() / l.executed()));
        }
    }

    private static org.agentmesh.task.ConsistentHashAllocation agentPlacement(com.typesafe.config.Config tasks) {
        return new org.agentmesh.task.ConsistentHashAllocation(tasks.getInt("virtual-nodes"), tasks.getInt("rebalance-max-moves"));
    }

    /** What runs beside each active swarm entity: its load balancer. */
    private List<org.apache.pekko.actor.typed.Behavior<?>> companionsOf(String swarmId) {
        if (!system.settings().config().getBoolean("agent-mesh.scheduling.balancer.enabled")) {
            return List.of(startDetectors(swarmId));
        }
        return List.of(startDetectors(swarmId), org.agentmesh.task.SwarmBalancer.create(swarmId, agentView, scheduling.balancer(),
                scheduling.balancerInterval(), statusTimeout));
    }

    private record KnownMembers(List<String> ids, long expiresAtNanos) {}

    // a swarm's members do not change after creation: remember them for a while instead of asking the swarm on every
    // request (a while only: another node may shut the swarm down and create it again with other agents)
    private final Map<String, KnownMembers> raftMembers = new java.util.concurrent.ConcurrentHashMap<>();

    private CompletionStage<List<String>> raftMembers(String swarmId) {
        KnownMembers known = raftMembers.get(swarmId);
        // on a minority side the swarm entity may be out of reach: an expired list still serves (stale) reads
        if (known != null && (System.nanoTime() < known.expiresAtNanos() || readsMayBeStale(swarmId))) {
            return CompletableFuture.completedFuture(known.ids());
        }
        return describe(swarmId).thenApply(found -> {
            List<String> order = RaftGroup.contactOrder(SwarmEntity.memberIds(found.spec()), raftSettings.maxVoters());
            raftMembers.put(swarmId, new KnownMembers(order, System.nanoTime() + 30_000_000_000L));
            return order;
        });
    }

    /** The linearizable mesh memory of every swarm (replicated by each swarm's Raft group). */
    public MeshMemory memory() {
        return memory;
    }

    /** Wakes every agent's failure detector when the swarm starts or recovers (they are remembered from then on). */
    private org.apache.pekko.actor.typed.Behavior<Void> startDetectors(String swarmId) {
        return org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
            describe(swarmId).thenAccept(found -> found.spec().agents().forEach(a -> sharding.entityRefFor(
                    org.agentmesh.failure.FailureDetectorMember.TYPE_KEY,
                    org.agentmesh.failure.FailureDetectorMember.entityId(swarmId, a.id()))
                    .tell(new org.agentmesh.failure.FailureDetectorMember.Start(swarmId))));
            return org.apache.pekko.actor.typed.javadsl.Behaviors.empty();
        });
    }

    /** The schema must exist before the first entity recovers, so start-up waits for it. */
    private void createSchemaIfAsked(boolean create, Duration timeout) {
        boolean jdbc = "jdbc-journal".equals(system.settings().config().getString("pekko.persistence.journal.plugin"));
        if (!create || !jdbc) {
            return;
        }
        Exception last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                SchemaUtils.createIfNotExists(system).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (Exception e) {
                // several nodes starting at once may race on the DDL; the loser sees the tables on its next try
                last = e;
                log.info("journal schema creation attempt {} failed: {}", attempt, e.toString());
            }
        }
        throw new IllegalStateException("could not create the journal schema", last);
    }

    public ActorSystem<?> system() {
        return system;
    }

    /** This node's measured counters and timers. */
    public org.agentmesh.metrics.MeshMetrics metrics() {
        return metrics;
    }

    /** Ready once this node is an Up member of its cluster (sharding and the schema are set up in the constructor). */
    public boolean isReady() {
        return Cluster.get(system).selfMember().status() == MemberStatus.up();
    }

    public SwarmSpecs.Defaults defaults() {
        return defaults;
    }

    private EntityRef<SwarmEntity.Command> swarmRef(String swarmId) {
        return sharding.entityRefFor(SwarmEntity.TYPE_KEY, swarmId);
    }

    private EntityRef<SwarmRegistry.Command> registry() {
        return sharding.entityRefFor(SwarmRegistry.TYPE_KEY, SwarmRegistry.ENTITY_ID);
    }

    /** Completes if the directory knows the swarm, fails with {@link SwarmNotFound} without waking a swarm entity if not. */
    private CompletionStage<String> known(String swarmId) {
        SwarmSpecs.checkId("swarmId", swarmId);
        return registry().<SwarmRegistry.Registered>ask(r -> new SwarmRegistry.Contains(swarmId, r), askTimeout)
                .thenApply(reply -> {
                    if (!reply.present()) {
                        throw new SwarmNotFound(swarmId);
                    }
                    return swarmId;
                });
    }

    /** Whether a failed stage failed because the swarm does not exist (the cause may come wrapped). */
    private static boolean isSwarmNotFound(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof SwarmNotFound) {
                return true;
            }
        }
        return false;
    }

    /** The directory held an id whose swarm is gone (a crash between shutdown and deregistration): drop it. */
    private void forgetStale(String swarmId) {
        registry().tell(new SwarmRegistry.Deregister(swarmId, system.ignoreRef()));
    }

    /** Ids of every active swarm, sorted. */
    public CompletionStage<List<String>> listSwarms() {
        return registry().<SwarmRegistry.SwarmIds>ask(SwarmRegistry.ListAll::new, askTimeout).thenApply(SwarmRegistry.SwarmIds::ids);
    }

    private EntityRef<AgentEntity.Command> agentRef(String swarmId, String agentId) {
        return sharding.entityRefFor(AgentEntity.TYPE_KEY, AgentEntity.entityId(swarmId, agentId));
    }

    /** Validates the request, records the swarm and starts its agents. Completes with the spec as recorded. */
    public CompletionStage<SwarmSpec> createSwarm(SwarmRequest request) {
        SwarmSpec spec;
        try {
            spec = SwarmSpecs.resolve(request, defaults);
        } catch (InvalidInput e) {
            return CompletableFuture.failedFuture(e);
        }
        return registry().<SwarmRegistry.Registered>ask(r -> new SwarmRegistry.Register(spec.id(), r), askTimeout)
                .thenCompose(registered -> swarmRef(spec.id()).<SwarmEntity.CreateReply>ask(r -> new SwarmEntity.Create(spec, r), askTimeout))
                .thenApply(reply -> {
                    if (reply instanceof SwarmEntity.Created created) {
                        return created.spec();
                    }
                    throw new SwarmAlreadyExists(spec.id());
                });
    }

    /** The swarm as recorded, with its members; fails with {@link SwarmNotFound}. */
    public CompletionStage<SwarmEntity.Found> describe(String swarmId) {
        return known(swarmId).thenCompose(id -> swarmRef(id).<SwarmEntity.GetReply>ask(SwarmEntity.Get::new, askTimeout))
                .thenApply(reply -> {
                    if (reply instanceof SwarmEntity.Found found) {
                        return found;
                    }
                    forgetStale(swarmId);
                    throw new SwarmNotFound(swarmId);
                });
    }

    /** Asks every member agent about itself; one that does not answer within the status timeout is "unresponsive". */
    public CompletionStage<SwarmStatus> status(String swarmId) {
        return describe(swarmId).thenCompose(found -> {
            List<CompletableFuture<SwarmStatus.AgentStatus>> answers = new ArrayList<>();
            for (AgentSpec agent : found.spec().agents()) {
                answers.add(agentRef(swarmId, agent.id())
                        .<AgentInfo>ask(AgentEntity.GetInfo::new, statusTimeout)
                        .thenApply(AgentMesh::toStatus)
                        .exceptionally(e -> new SwarmStatus.AgentStatus(agent.id(), "", "unresponsive",
                                agent.capabilities(), agent.capacity(), 0.0, 0.0, 0, Map.of()))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<SwarmStatus.AgentStatus> agents = answers.stream().map(CompletableFuture::join).toList();
                return summarize(found, agents);
            });
        });
    }

    private static SwarmStatus.AgentStatus toStatus(AgentInfo info) {
        return new SwarmStatus.AgentStatus(info.agentId(), info.node(), info.status().name().toLowerCase(),
                info.capabilities(), info.capacity(), info.load(), info.reputation(), info.restarts(), info.counters());
    }

    static SwarmStatus summarize(SwarmEntity.Found found, List<SwarmStatus.AgentStatus> agents) {
        int active = 0;
        int unresponsive = 0;
        Map<String, Integer> perNode = new TreeMap<>();
        for (SwarmStatus.AgentStatus a : agents) {
            if (a.state().equals("active")) {
                active++;
                perNode.merge(a.node(), 1, Integer::sum);
            } else if (a.state().equals("unresponsive")) {
                unresponsive++;
            }
        }
        SwarmSpec spec = found.spec();
        return new SwarmStatus(spec.id(), spec.topology().wireName(), spec.strategy().wireName(), spec.maxAgents(),
                found.createdAtMillis(), agents.size(), active, unresponsive, perNode, agents);
    }

    /**
     * Gracefully shuts a swarm down: it stops accepting work, every agent persists its retirement and stops.
     * Completes once every agent confirmed or the shutdown timeout passed (then {@link ShutdownResult#unconfirmed} says who).
     */
    public CompletionStage<ShutdownResult> shutdownSwarm(String swarmId) {
        return known(swarmId).thenCompose(id -> swarmRef(id).<SwarmEntity.GetReply>ask(SwarmEntity.ShutDown::new, askTimeout)).thenCompose(reply -> {
            if (!(reply instanceof SwarmEntity.Found found)) {
                forgetStale(swarmId);
                throw new SwarmNotFound(swarmId);
            }
            List<String> ids = found.spec().agents().stream().map(AgentSpec::id).toList();
            RaftGroup.stop(sharding, swarmId, ids);
            ids.forEach(id -> sharding.entityRefFor(org.agentmesh.failure.FailureDetectorMember.TYPE_KEY,
                    org.agentmesh.failure.FailureDetectorMember.entityId(swarmId, id))
                    .tell(new org.agentmesh.failure.FailureDetectorMember.Stop()));
            memory.forget(swarmId);
            failedAgents.forget(swarmId);
            raftMembers.remove(swarmId);
            List<CompletableFuture<Boolean>> acks = ids.stream()
                    .map(id -> agentRef(swarmId, id).<AgentInfo>ask(AgentEntity.Retire::new, shutdownTimeout)
                            .thenApply(info -> info.status() == AgentEntity.Status.RETIRED)
                            .exceptionally(e -> false)
                            .toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<String> retired = new ArrayList<>();
                List<String> unconfirmed = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    (acks.get(i).join() ? retired : unconfirmed).add(ids.get(i));
                }
                proposals.stopCommittee(swarmId, ids);
                return new ShutdownResult(swarmId, retired, unconfirmed);
            }).thenCompose(result -> registry().<SwarmRegistry.Registered>ask(
                    r -> new SwarmRegistry.Deregister(swarmId, r), askTimeout).thenApply(done -> result));
        });
    }

    /** Adds {@code delta} to a persistent counter of one agent; completes with its new value. */
    public CompletionStage<Long> incrementAgentCounter(String swarmId, String agentId, String counter, long delta) {
        return describe(swarmId).thenCompose(found -> {
            if (found.spec().agents().stream().noneMatch(a -> a.id().equals(agentId))) {
                throw new InvalidInput("agentId", "swarm '" + swarmId + "' has no agent '" + agentId + "'");
            }
            return agentRef(swarmId, agentId).<AgentEntity.CounterValue>ask(
                    r -> new AgentEntity.IncrementCounter(counter, delta, r), askTimeout);
        }).thenApply(AgentEntity.CounterValue::value);
    }

    // ---- tasks

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TaskEntity.Command> taskRef(String swarmId, String taskId) {
        return sharding.entityRefFor(TaskEntity.TYPE_KEY, TaskEntity.entityId(swarmId, taskId));
    }

    /**
     * Submits a task: validated, routed to an agent by the swarm's strategy, recorded, queued at that agent. Completes
     * with the task as recorded; fails with {@link InvalidInput}, {@link TaskRejected} (no agent can serve it) or
     * {@link TaskIdConflict} (the id is taken by a different task). Submitting the same task (same id and spec) again
     * is idempotent.
     */
    public CompletionStage<TaskEntity.State> submitTask(String swarmId, TaskRequest request) {
        return submitTask(swarmId, request, "");
    }

    private CompletionStage<TaskEntity.State> submitTask(String swarmId, TaskRequest request, String field) {
        TaskSpec spec;
        try {
            requireWritable(swarmId);
            spec = TaskSpecs.resolve(request, field, executors.keySet());
        } catch (InvalidInput | WriteRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        // route first, on the (briefly cached) agent view, which doubles as the existence check: a task no agent can
        // serve is refused without waking its entity, and a burst of submissions asks the swarm once
        return taskRouter.route(swarmId, spec, java.util.Set.of()).thenCompose(decision -> {
            if (decision instanceof org.agentmesh.task.TaskRouter.NoCapableAgent no) {
                throw new TaskRejected(spec.id(), no.reason());
            }
            var route = (org.agentmesh.task.TaskRouter.Route) decision;
            return taskRef(swarmId, spec.id()).<TaskEntity.SubmitReply>ask(r -> new TaskEntity.Submit(swarmId, spec, route, r), askTimeout);
        })
                .thenApply(reply -> {
                    if (reply instanceof TaskEntity.Accepted accepted) {
                        return accepted.task();
                    }
                    throw new TaskIdConflict(spec.id());
                });
    }

    /** Submits several tasks; each is accepted or refused on its own. Validation errors name {@code tasks[i].field}. */
    public CompletionStage<List<CompletionStage<TaskEntity.State>>> submitTasks(String swarmId, List<TaskRequest> requests) {
        try {
            requireWritable(swarmId);
        } catch (WriteRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return describe(swarmId).thenApply(found -> {
            List<CompletionStage<TaskEntity.State>> all = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                all.add(submitTask(swarmId, requests.get(i), "tasks[" + i + "]"));
            }
            return all;
        });
    }

    /** A task as recorded in the journal; fails with {@link TaskNotFound}. Reading never wakes the task. */
    public CompletionStage<TaskEntity.State> task(String swarmId, String taskId) {
        SwarmSpecs.checkId("taskId", taskId);
        return knownForReading(swarmId).thenCompose(id -> taskQueries.get(swarmId, taskId))
                .thenApply(t -> t.orElseThrow(() -> new TaskNotFound(swarmId, taskId)));
    }

    /** The swarm's tasks, optionally in one phase, oldest first, at most {@code limit}. */
    public CompletionStage<List<TaskEntity.State>> tasks(String swarmId, java.util.Optional<TaskEntity.Phase> phase, int limit) {
        return knownForReading(swarmId).thenCompose(id -> taskQueries.list(swarmId, phase, limit));
    }

    /**
     * {@link #known}, except on a minority side: the directory may live across the partition, so reads go straight to
     * the journal (possibly stale, and an unknown swarm then reads as empty rather than {@link SwarmNotFound}).
     */
    private CompletionStage<String> knownForReading(String swarmId) {
        SwarmSpecs.checkId("swarmId", swarmId);
        return readsMayBeStale(swarmId) ? CompletableFuture.completedFuture(swarmId) : known(swarmId);
    }

    /** Cancels an unfinished task; fails with {@link TaskNotFound}, or {@link InvalidInput} if it already finished. */
    public CompletionStage<TaskEntity.State> cancelTask(String swarmId, String taskId) {
        try {
            requireWritable(swarmId);
        } catch (WriteRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return task(swarmId, taskId).thenCompose(t -> {
            if (t.phase().terminal()) {
                throw new InvalidInput("taskId", "task '" + taskId + "' is already " + t.phase().name().toLowerCase());
            }
            return taskRef(swarmId, taskId).<TaskEntity.Ack>ask(TaskEntity.Cancel::new, askTimeout);
        }).thenCompose(ack -> {
            if (!ack.accepted()) {
                throw new InvalidInput("taskId", ack.reason());
            }
            return task(swarmId, taskId);
        });
    }

    /** An outside agent takes the next external task queued at {@code agentId}; empty if there is none. */
    public CompletionStage<java.util.Optional<AgentWorker.ClaimReply>> claimTask(String swarmId, String agentId) {
        return memberOf(swarmId, agentId).thenCompose(found -> sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, agentId))
                .<AgentWorker.ClaimReply>ask(AgentWorker.Claim::new, askTimeout))
                .thenApply(r -> r.claimed() ? java.util.Optional.of(r) : java.util.Optional.empty());
    }

    /** An outside agent reports on the attempt it claimed: progress (0..1), heartbeat, or the final result. */
    public CompletionStage<TaskEntity.Ack> reportTask(String swarmId, String taskId, String agentId, int attempt,
            java.util.Optional<org.agentmesh.task.TaskResult> result, double progress, String note) {
        return memberOf(swarmId, agentId).thenCompose(found -> task(swarmId, taskId)).thenCompose(t -> {
            var ref = taskRef(swarmId, taskId);
            if (result.isPresent()) {
                return ref.<TaskEntity.Ack>ask(r -> new TaskEntity.Finish(agentId, attempt, result.get(), r), askTimeout);
            }
            if (progress >= 0) {
                return ref.<TaskEntity.Ack>ask(r -> new TaskEntity.Progress(agentId, attempt, progress, note, r), askTimeout);
            }
            ref.tell(new TaskEntity.Heartbeat(agentId, attempt));
            return CompletableFuture.completedFuture(new TaskEntity.Ack(true, ""));
        });
    }

    /** Each agent's worker as it reports itself now: slots, running, queued, attempts executed and succeeded. */
    public CompletionStage<List<AgentWorker.Load>> workerLoads(String swarmId) {
        return describe(swarmId).thenCompose(found -> agentView.workerLoads(found.spec()))
                .thenApply(loads -> loads.stream().filter(java.util.Objects::nonNull).toList());
    }

    private CompletionStage<SwarmEntity.Found> memberOf(String swarmId, String agentId) {
        SwarmSpecs.checkId("agentId", agentId);
        return describe(swarmId).thenApply(found -> {
            if (found.spec().agents().stream().noneMatch(a -> a.id().equals(agentId))) {
                throw new InvalidInput("agentId", "swarm '" + swarmId + "' has no agent '" + agentId + "'");
            }
            return found;
        });
    }


    /** The swarm's performance report over its whole history. */
    public CompletionStage<SwarmReport> report(String swarmId) {
        return report(swarmId, ReportWindow.ALL);
    }

    /**
     * The swarm's performance report: reachability and round trip of its agents from this node, load as each worker
     * reports it now (asked, not the routing cache), throughput, latency and moves from the task history over
     * {@code window}.
     */
    public CompletionStage<SwarmReport> report(String swarmId, ReportWindow window) {
        long start = System.nanoTime();
        return status(swarmId).thenCompose(status -> {
            // status asks every agent in parallel: the elapsed time bounds their round trips from above
            double roundTripMillis = (System.nanoTime() - start) / 1e6;
            long now = System.currentTimeMillis();
            CompletionStage<SwarmReport.Consensus> consensus = consensus(swarmId).thenApply(SwarmReport.Consensus::of)
                    .exceptionally(e -> SwarmReport.Consensus.NONE); // no committee (fewer than 4 agents) or none answering
            long since = window.length().isEmpty() ? 0 : window.fromMillis(now);
            return describe(swarmId).thenCompose(found -> agentView.workerLoads(found.spec()).thenApply(loads -> liveLoads(found.spec(), loads)))
                    .thenCompose(loads -> taskQueries.moves(swarmId, since).thenCompose(moves ->
                    consensus.thenCompose(c -> taskQueries.list(swarmId, java.util.Optional.empty(), Integer.MAX_VALUE).thenApply(tasks ->
                            SwarmReport.build(swarmId, status, roundTripMillis, loads, tasks, moves[0], moves[1],
                                    scheduling.balancer().hotThreshold(), c, window, now)))));
        });
    }

    /** Worker answers as loads; a worker that did not answer is an agent with nothing measured and not live. */
    private static List<AgentLoad> liveLoads(SwarmSpec spec, List<AgentWorker.Load> loads) {
        List<AgentLoad> out = new ArrayList<>();
        for (int i = 0; i < loads.size(); i++) {
            AgentSpec a = spec.agents().get(i);
            AgentWorker.Load l = loads.get(i);
            out.add(l == null ? new AgentLoad(a.id(), a.capabilities(), a.capacity(), 0, 0, 0.5, 0.0, false)
                    : new AgentLoad(a.id(), a.capabilities(), a.capacity(), l.running(), l.queued(), 0.5, l.resourceAvailability(), true));
        }
        return out;
    }

    // ---- agent messages and recovery

    /**
     * Delivers a message to one agent, or to every agent of the swarm with {@code to = "all"}; completes with the agents
     * that acknowledged it. An unknown receiver fails with {@link InvalidInput} naming {@code to}.
     */
    public CompletionStage<List<String>> sendMessage(String swarmId, String from, String to, String body) {
        SwarmSpecs.checkId("from", from);
        return describe(swarmId).thenCompose(found -> {
            List<String> receivers = to.equals("all") ? found.spec().agents().stream().map(AgentSpec::id).toList()
                    : found.spec().agents().stream().map(AgentSpec::id).filter(to::equals).toList();
            if (receivers.isEmpty()) {
                throw new AgentNotFound(swarmId, to);
            }
            long now = System.currentTimeMillis();
            List<CompletableFuture<AgentWorker.Delivered>> acks = receivers.stream()
                    .map(id -> sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, id))
                            .<AgentWorker.Delivered>ask(r -> new AgentWorker.Deliver(from, body, now, r), askTimeout).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .thenApply(done -> acks.stream().map(a -> a.join().agentId()).toList());
        });
    }

    /** The last messages delivered to an agent. */
    public CompletionStage<AgentWorker.Inbox> inbox(String swarmId, String agentId) {
        return memberOf(swarmId, agentId).thenCompose(found -> sharding.entityRefFor(AgentWorker.TYPE_KEY, AgentWorker.entityId(swarmId, agentId))
                .<AgentWorker.Inbox>ask(AgentWorker.GetInbox::new, askTimeout));
    }

    /**
     * Failover recovery of an agent (the seed's daa_fault_tolerance failover_recovery): every unfinished task it holds
     * is assigned again now, to other agents where possible, instead of waiting for its lease to expire. Completes
     * with the ids of the tasks reassigned.
     */
    public CompletionStage<List<String>> recoverAgent(String swarmId, String agentId, String reason) {
        return memberOf(swarmId, agentId).thenCompose(found -> taskQueries.list(swarmId, java.util.Optional.empty(), Integer.MAX_VALUE))
                .thenApply(tasks -> {
                    List<String> held = tasks.stream()
                            .filter(t -> !t.phase().terminal() && t.agentId().equals(agentId))
                            .map(t -> t.spec().id()).toList();
                    held.forEach(id -> taskRef(swarmId, id).tell(new TaskEntity.Reassign(agentId, reason)));
                    agentView.invalidate(swarmId);
                    return held;
                });
    }

    /** The swarm's mesh overlay as derived from its active agents (3-5 links each, two disjoint paths between any two). */
    public record Topology(String swarmId, String topology, List<String> agents, List<List<String>> links, boolean connected,
            boolean twoVertexConnected) {}

    public CompletionStage<Topology> topology(String swarmId) {
        return status(swarmId).thenApply(status -> {
            List<String> live = status.agents().stream().filter(a -> a.state().equals("active"))
                    .map(SwarmStatus.AgentStatus::id).sorted().toList();
            org.agentmesh.gossip.MeshOverlay overlay = new org.agentmesh.gossip.MeshOverlay(3, 5);
            java.util.Map<String, java.util.SortedSet<String>> graph = new java.util.TreeMap<>();
            List<List<String>> links = new ArrayList<>();
            for (String a : live) {
                java.util.SortedSet<String> l = overlay.linksOf(a, live);
                graph.put(a, l);
                for (String b : l) {
                    if (a.compareTo(b) < 0) {
                        links.add(List.of(a, b));
                    }
                }
            }
            return new Topology(swarmId, status.topology(), live, links, org.agentmesh.gossip.MeshOverlay.isConnected(graph),
                    live.size() >= 4 && org.agentmesh.gossip.MeshOverlay.isTwoVertexConnected(graph));
        });
    }

    // ---- gossip

    /**
     * Per swarm with members here: {mean connectivity, summed message rate, max live peers, least seconds since a view
     * change, slowest recent update's propagation in seconds (NaN before any)}.
     */
    private java.util.Map<String, double[]> gossipGaugeSample() {
        java.util.Map<String, double[]> out = new java.util.TreeMap<>();
        for (String swarm : gossipViews.swarms()) {
            List<GossipMember.View> started = gossipViews.local(swarm).stream().filter(GossipMember.View::started).toList();
            if (started.isEmpty()) {
                continue;
            }
            out.put(swarm, new double[] {
                    started.stream().mapToDouble(v -> v.stats().connectivity()).average().orElse(0),
                    started.stream().mapToDouble(v -> v.stats().messagesPerSecond()).sum(),
                    started.stream().mapToInt(v -> v.stats().livePeers()).max().orElse(0),
                    started.stream().mapToLong(v -> v.stats().millisSinceViewChange()).min().orElse(0) / 1000.0,
                    seconds(started.stream().mapToLong(v -> v.stats().updateDelayMillisMax()).max().orElse(-1))});
        }
        return out;
    }

    /** Millis as seconds; NaN (no value yet) for a negative one. */
    private static double seconds(long millis) {
        return millis < 0 ? Double.NaN : millis / 1000.0;
    }

    /** The gossip views published by the members running on this node. */
    public GossipViews gossipViews() {
        return gossipViews;
    }

    /** Replaces an agent's capabilities: persisted by the agent, then spread by gossip. Completes with the agent's info. */
    public CompletionStage<AgentInfo> setCapabilities(String swarmId, String agentId, List<String> capabilities) {
        try {
            SwarmSpecs.checkCapabilities("capabilities", capabilities);
        } catch (InvalidInput e) {
            return CompletableFuture.failedFuture(e);
        }
        return memberOf(swarmId, agentId).thenCompose(found -> agentRef(swarmId, agentId).<AgentInfo>ask(
                r -> new AgentEntity.SetCapabilities(List.copyOf(capabilities), r), askTimeout));
    }

    /** One agent's gossip view: every peer entry it holds, its push-sum estimates and its counters. */
    public CompletionStage<GossipMember.View> gossipView(String swarmId, String agentId) {
        return memberOf(swarmId, agentId).thenCompose(found -> gossipRef(swarmId, agentId)
                .<GossipMember.View>ask(GossipMember.GetView::new, statusTimeout));
    }

    /** Gossip metrics of every agent of the swarm, and their summary; an agent that does not answer counts as not started. */
    public CompletionStage<GossipReport> gossipReport(String swarmId) {
        return describe(swarmId).thenCompose(found -> {
            List<CompletableFuture<GossipMember.View>> views = new ArrayList<>();
            for (AgentSpec a : found.spec().agents()) {
                views.add(gossipRef(swarmId, a.id()).<GossipMember.View>ask(GossipMember.GetView::new, statusTimeout)
                        .exceptionally(e -> new GossipMember.View(swarmId, a.id(), false, List.of(),
                                new org.agentmesh.gossip.AggregateEstimate(-1, 0, 0, 0, false),
                                GossipMember.Stats.NONE, System.currentTimeMillis()))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                    .thenApply(done -> GossipReport.of(swarmId, views.stream().map(CompletableFuture::join).toList()));
        });
    }

    /**
     * The agent declared dead here is alive again: this node's gossip members (the ones told it failed) take its live
     * entries as live again at once.
     */
    private void gossipPeerAlive(String swarmId, String agentId) {
        if (gossipSettings.enabled()) {
            gossipViews.local(swarmId).stream().map(GossipMember.View::agentId).filter(id -> !id.equals(agentId))
                    .forEach(id -> gossipRef(swarmId, id).tell(new GossipMember.PeerAlive(agentId)));
        }
    }

    /**
     * A failure detector confirmed an agent dead: the gossip members of the swarm running on this node take it as
     * DEAD at once, and spread it (FAILED rumor, pushed DEAD entry) and replace their links to it. One node's members
     * suffice; with none here, one other member of the swarm is told.
     */
    private void gossipPeerFailed(String swarmId, String agentId) {
        if (!gossipSettings.enabled()) {
            return;
        }
        List<String> local = gossipViews.local(swarmId).stream().map(GossipMember.View::agentId)
                .filter(id -> !id.equals(agentId)).toList();
        if (!local.isEmpty()) {
            local.forEach(id -> gossipRef(swarmId, id).tell(new GossipMember.PeerFailed(agentId)));
            return;
        }
        describe(swarmId).thenAccept(found -> SwarmEntity.memberIds(found.spec()).stream().filter(id -> !id.equals(agentId))
                .findFirst().ifPresent(id -> gossipRef(swarmId, id).tell(new GossipMember.PeerFailed(agentId))));
    }

    /**
     * topology_optimize: re-plans the swarm's overlay. Reads the links every live agent's gossip member holds now,
     * tells every member to re-plan its links over the live agents of its view with {@code minLinks..maxLinks} links
     * each (default: the configured range), and reads the links again.
     * The new range holds until a member restarts (the configured one is the durable setting).
     * Fails with {@link InvalidInput} for a bad range, {@link SwarmNotFound} for an unknown swarm.
     */
    public CompletionStage<OverlayPlan> optimizeTopology(String swarmId, java.util.OptionalInt minLinks,
            java.util.OptionalInt maxLinks) {
        int min = minLinks.orElse(gossipSettings.core().minLinks());
        int max = maxLinks.orElse(gossipSettings.core().maxLinks());
        try {
            if (min < 2 || min > 20) {
                throw new InvalidInput("minLinks", "minLinks must be in 2..20, was " + min);
            }
            if (max < min || max > 20) {
                throw new InvalidInput("maxLinks", "maxLinks must be in minLinks..20, was " + max);
            }
            if (min == max && min % 2 == 1) {
                throw new InvalidInput("maxLinks", "minLinks == maxLinks must be even (no odd regular graph on an odd count)");
            }
            if (!gossipSettings.enabled()) {
                throw new InvalidInput("topology", "gossip is off (agent-mesh.gossip.enabled): there is no overlay to re-plan");
            }
        } catch (InvalidInput e) {
            return CompletableFuture.failedFuture(e);
        }
        return status(swarmId).thenCompose(status -> {
            List<String> active = status.agents().stream().filter(a -> a.state().equals("active"))
                    .map(SwarmStatus.AgentStatus::id).sorted().toList();
            return views(swarmId, active, id -> gossipRef(swarmId, id).ask(GossipMember.GetView::new, statusTimeout))
                    .thenCompose(before -> {
                        List<String> live = before.keySet().stream().sorted().toList();
                        return views(swarmId, live, id -> gossipRef(swarmId, id).<GossipMember.View>ask(
                                r -> new GossipMember.Replan(min, max, r), statusTimeout))
                                .thenApply(after -> {
                                    java.util.Map<String, java.util.SortedSet<String>> b = ownLinks(before);
                                    java.util.Map<String, java.util.SortedSet<String>> a = ownLinks(after);
                                    return new OverlayPlan(swarmId, min, max, live, OverlayPlan.Graph.of(b, live),
                                            OverlayPlan.Graph.of(a, after.keySet()), !a.equals(b));
                                });
                    });
        });
    }

    /** The started views of the given agents (an agent whose member does not answer is left out). */
    private CompletionStage<java.util.Map<String, GossipMember.View>> views(String swarmId, List<String> agents,
            java.util.function.Function<String, CompletionStage<GossipMember.View>> ask) {
        List<CompletableFuture<java.util.Optional<GossipMember.View>>> answers = new ArrayList<>();
        for (String id : agents) {
            answers.add(ask.apply(id).thenApply(java.util.Optional::of)
                    .exceptionally(e -> java.util.Optional.empty()).toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
            java.util.Map<String, GossipMember.View> out = new java.util.TreeMap<>();
            answers.stream().map(CompletableFuture::join).flatMap(java.util.Optional::stream)
                    .filter(GossipMember.View::started).forEach(v -> out.put(v.agentId(), v));
            return out;
        });
    }

    /** Each agent's links as its own entry in its own view says. */
    private static java.util.Map<String, java.util.SortedSet<String>> ownLinks(java.util.Map<String, GossipMember.View> views) {
        java.util.Map<String, java.util.SortedSet<String>> out = new java.util.TreeMap<>();
        views.forEach((id, v) -> v.peers().stream().filter(p -> p.peerId().equals(id)).findFirst()
                .ifPresent(e -> out.put(id, e.links())));
        return out;
    }

    private EntityRef<GossipMember.Command> gossipRef(String swarmId, String agentId) {
        if (!gossipSettings.enabled()) {
            throw new IllegalStateException("gossip is off (agent-mesh.gossip.enabled)");
        }
        return sharding.entityRefFor(GossipMember.TYPE_KEY, GossipMember.entityId(swarmId, agentId));
    }

    // ---- proposals (pBFT)

    /** Opens a proposal, ordered by the swarm's pBFT committee; completes with its status. Refused in read-only mode. */
    public CompletionStage<org.agentmesh.proposals.ProposalStatus> propose(String swarmId,
            org.agentmesh.proposals.SwarmProposals.ProposeRequest request) {
        try {
            requireWritable(swarmId);
        } catch (WriteRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return known(swarmId).thenCompose(id -> proposals.propose(id, request));
    }

    /**
     * Votes on {@code agentId}'s behalf (the ballot is signed with the agent's key, unless {@code signature} is given);
     * fails with {@link org.agentmesh.proposals.CommandRefused} for a second vote or a bad signature, with
     * {@link WriteRefused} in read-only mode.
     */
    public CompletionStage<org.agentmesh.proposals.ProposalStatus> vote(String swarmId, String proposalId, String agentId,
            org.agentmesh.proposals.Choice choice, java.util.Optional<String> signature) {
        try {
            requireWritable(swarmId);
        } catch (WriteRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return known(swarmId).thenCompose(id -> proposals.vote(id, proposalId, agentId, choice, signature));
    }

    /** The {@code limit} newest proposals of the swarm with their status, as f+1 replicas report them. */
    public CompletionStage<List<org.agentmesh.proposals.ProposalStatus>> recentProposals(String swarmId, int limit) {
        return known(swarmId).thenCompose(id -> proposals.recent(id, limit));
    }

    /** A proposal's status as f+1 replicas report it; fails with {@link org.agentmesh.proposals.ProposalNotFound}. */
    public CompletionStage<org.agentmesh.proposals.ProposalStatus> proposal(String swarmId, String proposalId) {
        return knownForReading(swarmId).thenCompose(id -> proposals.status(id, proposalId));
    }

    /** Decision latency, vote participation, view changes, f, dropped messages of the swarm's pBFT committee. */
    public CompletionStage<org.agentmesh.proposals.ConsensusMetrics> consensus(String swarmId) {
        return knownForReading(swarmId).thenCompose(proposals::metrics);
    }

    /**
     * An agent departed (it left the swarm, or the failure detector confirmed it failed): ordered through the swarm's
     * pBFT committee, so its votes stop counting and open proposals are recounted at the same point on every replica.
     * Call it from every path that removes an agent; reporting twice is harmless.
     */
    public CompletionStage<List<org.agentmesh.proposals.ProposalStatus>> agentDeparted(String swarmId, String agentId) {
        return proposals.agentDeparted(swarmId, agentId).whenComplete((changed, error) -> {
            if (error != null) {
                log.warn("could not report the departure of {} to the pBFT committee of {}: {}", agentId, swarmId, error.toString());
            }
        });
    }

    /** A departed agent is back (restarted and rejoined): it can vote on proposals opened from now on. */
    public CompletionStage<List<org.agentmesh.proposals.ProposalStatus>> agentRejoined(String swarmId, String agentId) {
        return proposals.agentRejoined(swarmId, agentId).whenComplete((changed, error) -> {
            if (error != null) {
                log.warn("could not report the return of {} to the pBFT committee of {}: {}", agentId, swarmId, error.toString());
            }
        });
    }

    /** Members and keys for the proposal shell; keys live with each agent's persistent state. */
    private final class Directory implements org.agentmesh.proposals.SwarmDirectory {
        @Override
        public CompletionStage<List<org.agentmesh.proposals.Voter>> members(String swarmId) {
            return describe(swarmId).thenApply(found -> found.spec().agents().stream()
                    .map(a -> new org.agentmesh.proposals.Voter(a.id(), a.capabilities())).toList());
        }

        @Override
        public CompletionStage<org.agentmesh.pbft.NodeKey> key(String swarmId, String agentId, boolean withPrivate) {
            return agentRef(swarmId, agentId).<org.agentmesh.pbft.NodeKey>ask(r -> new AgentEntity.GetKey(withPrivate, r), askTimeout);
        }

        @Override
        public CompletionStage<String> signBallot(String swarmId, String agentId, String proposalId,
                org.agentmesh.proposals.Choice choice) {
            return agentRef(swarmId, agentId).<AgentEntity.BallotSignature>ask(
                    r -> new AgentEntity.SignBallot(proposalId, choice, r), askTimeout).thenApply(AgentEntity.BallotSignature::signature);
        }
    }
    // ---- failure detection and partitions

    /**
     * The check every write to a swarm makes on this node before doing anything: refused (with a reason for the
     * caller) while this node's agents of the swarm are all READ_ONLY, i.e. on a minority side of a partition. Task
     * submission and cancellation, memory store/delete/cas, propose and vote call it (HTTP 503 on refusal).
     */
    public org.agentmesh.failure.WriteGuard.Decision writeGuard(String swarmId) {
        return partitionBoard.check(swarmId, reachabilityLog.clusterStatus(failureSettings.partition()));
    }

    /** Throws {@link WriteRefused} if {@link #writeGuard} refuses. */
    public void requireWritable(String swarmId) {
        if (writeGuard(swarmId) instanceof org.agentmesh.failure.WriteGuard.Refused r) {
            throw new WriteRefused(r.reason());
        }
    }

    /** Whether reads of this swarm answered by this node may be stale (it is on a minority side). */
    public boolean readsMayBeStale(String swarmId) {
        return !writeGuard(swarmId).allowed();
    }

    /**
     * Recovery when an agent of this node confirmed {@code agentId} failed; the one place every protocol hooks its own
     * failure handling into, one line each. Several agents may declare the same failure, so every step is idempotent.
     * The failure itself spreads to every agent through the failure detectors' own dissemination.
     */
    public void onPeerFailed(String swarmId, String agentId) {
        log.warn("agent {} of swarm {} confirmed failed: recovering", agentId, swarmId);
        failedAgents.failed(swarmId, agentId); // routing: no new task goes to it, no view refresh waits for its worker
        redispatchTasksOf(swarmId, agentId, true); // its unfinished tasks, now rather than when their leases run out
        gossipPeerFailed(swarmId, agentId); // gossip: FAILED rumor, dead entry, overlay links replaced
        memory.peerFailed(swarmId, agentId); // Raft: the swarm's leader replaces the failed voter
        agentDeparted(swarmId, agentId); // pBFT: its votes stop counting, open proposals are recounted
    }

    /** {@code agentId}, held failed here, refuted the verdict or restarted: routable again. */
    private void onPeerAlive(String swarmId, String agentId) {
        if (failedAgents.isFailed(swarmId, agentId)) {
            log.info("agent {} of swarm {} is alive again: routable", agentId, swarmId);
            failedAgents.alive(swarmId, agentId);
            metrics.peerRejoined(swarmId);
            gossipPeerAlive(swarmId, agentId); // gossip: its refutation counts as live again
            agentRejoined(swarmId, agentId); // pBFT: it votes again on proposals opened from now on
        }
    }

    /** What the failure detectors of this node's agents report. */
    private final class DetectorEvents implements org.agentmesh.failure.FailureDetectorMember.PeerEvents {
        @Override
        public void declaredFailed(String swarmId, String agentId) {
            onPeerFailed(swarmId, agentId);
        }

        @Override
        public void learnedFailed(String swarmId, String agentId) {
            // a declarer elsewhere recovers; this node stops routing to it and, the first time it hears of it, re-dispatches
            // too: a task this node routed to the agent after the declarer listed its tasks (a task of another agent that
            // failed with it, routed here before this node knew) would otherwise wait for its lease
            if (failedAgents.failed(swarmId, agentId)) {
                redispatchTasksOf(swarmId, agentId, false);
            }
        }

        @Override
        public void alive(String swarmId, String agentId) {
            onPeerAlive(swarmId, agentId);
        }
    }

    /**
     * Every unfinished task {@code agentId} holds is re-dispatched now. Attempt numbers fence it, so a false verdict
     * costs a duplicate run, never a double completion. {@code recovery}: run for a failure declared here (counted as
     * a recovery), not one this node learned of (only its tasks are counted).
     */
    private void redispatchTasksOf(String swarmId, String agentId, boolean recovery) {
        taskQueries.list(swarmId, java.util.Optional.empty(), Integer.MAX_VALUE).thenAccept(tasks -> {
            List<TaskEntity.State> held = tasks.stream()
                    .filter(t -> (t.phase() == TaskEntity.Phase.ASSIGNED || t.phase() == TaskEntity.Phase.RUNNING)
                            && t.agentId().equals(agentId))
                    .toList();
            held.forEach(t -> {
                log.info("re-dispatching task {} of failed agent {} (attempt {})", t.spec().id(), agentId, t.attempt());
                taskRef(swarmId, t.spec().id()).tell(new TaskEntity.HolderFailed(agentId, t.attempt()));
            });
            if (recovery) {
                metrics.failureRecovered(swarmId, held.size());
            } else {
                metrics.tasksRedispatched(swarmId, held.size());
            }
        }).exceptionally(e -> {
            log.warn("could not list the tasks of failed agent {} of swarm {}: {}", agentId, swarmId, e.toString());
            return null;
        });
    }

    /** Failure detection and partition metrics of the swarm, from every agent's detector. */
    public CompletionStage<SwarmHealth> health(String swarmId) {
        return describe(swarmId).thenCompose(found -> {
            List<CompletableFuture<java.util.Optional<org.agentmesh.failure.FailureDetectorMember.Report>>> answers = new ArrayList<>();
            for (AgentSpec agent : found.spec().agents()) {
                answers.add(sharding.entityRefFor(org.agentmesh.failure.FailureDetectorMember.TYPE_KEY,
                                org.agentmesh.failure.FailureDetectorMember.entityId(swarmId, agent.id()))
                        .<org.agentmesh.failure.FailureDetectorMember.Report>ask(
                                org.agentmesh.failure.FailureDetectorMember.GetReport::new, statusTimeout)
                        .thenApply(java.util.Optional::of)
                        .exceptionally(e -> java.util.Optional.empty())
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
                Map<String, String> modes = new TreeMap<>();
                java.util.Set<String> failed = new java.util.TreeSet<>();
                List<Long> detection = new ArrayList<>();
                List<Integer> confirmations = new ArrayList<>();
                List<Long> recovery = new ArrayList<>();
                List<org.agentmesh.failure.FailureDetectorMember.Report> reports = new ArrayList<>();
                long falseSuspicions = 0;
                int partitions = 0;
                for (int i = 0; i < answers.size(); i++) {
                    String id = found.spec().agents().get(i).id();
                    var r = answers.get(i).join();
                    if (r.isEmpty()) {
                        modes.put(id, "unresponsive");
                        continue;
                    }
                    var rep = r.get();
                    reports.add(rep);
                    modes.put(id, rep.mode());
                    rep.peers().forEach((peer, st) -> {
                        if (st.equals("FAILED")) {
                            failed.add(peer);
                        }
                    });
                    rep.detections().forEach(d -> {
                        if (d.detectionMillis() >= 0) {
                            detection.add(d.detectionMillis());
                        }
                    });
                    confirmations.addAll(rep.confirmationsPerFailure());
                    recovery.addAll(rep.recoveryMillis());
                    falseSuspicions += rep.falseSuspicions();
                    partitions += rep.partitions();
                }
                var guard = writeGuard(swarmId);
                String writes = guard instanceof org.agentmesh.failure.WriteGuard.Refused ref ? ref.reason() : "allowed";
                return new SwarmHealth(swarmId, modes, List.copyOf(failed), detection, falseSuspicions, confirmations,
                        partitions, recovery, reachabilityLog.unreachableEpisodes(), reachabilityLog.members(), writes, reports);
            });
        });
    }
}

package org.agentmesh.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.agentmesh.memory.MeshMemory;
import org.agentmesh.memory.RaftGroup;
import org.agentmesh.memory.RaftMember;
import org.agentmesh.memory.RaftSettings;
import org.agentmesh.swarm.AgentEntity.AgentInfo;
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
    private final RaftSettings raftSettings;
    private final MeshMemory memory;

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
        sharding.init(Entity.of(SwarmEntity.TYPE_KEY, ctx -> SwarmEntity.create(ctx.getEntityId(), ctx.getShard()))
                .withSettings(remembered)
                .withMessageExtractor(new HashCodeMessageExtractor<>(config.getInt("sharding.swarm-shards"))));
        sharding.init(Entity.of(SwarmRegistry.TYPE_KEY, ctx -> SwarmRegistry.create()));

        // mesh memory: one Raft member per agent, remembered like the agents
        this.raftSettings = RaftSettings.from(system.settings().config());
        sharding.init(Entity.of(RaftMember.TYPE_KEY, ctx -> RaftMember.create(ctx.getEntityId(), ctx.getShard()))
                .withSettings(remembered)
                .withMessageExtractor(new HashCodeMessageExtractor<>(raftSettings.memberShards())));
        this.memory = new MeshMemory(system, raftSettings, this::raftMembers,
                (swarmId, memberId) -> sharding.entityRefFor(RaftMember.TYPE_KEY, RaftMember.entityId(swarmId, memberId)));
    }

    private record KnownMembers(List<String> ids, long expiresAtNanos) {}

    // a swarm's members do not change after creation: remember them for a while instead of asking the swarm on every
    // request (a while only: another node may shut the swarm down and create it again with other agents)
    private final Map<String, KnownMembers> raftMembers = new java.util.concurrent.ConcurrentHashMap<>();

    private CompletionStage<List<String>> raftMembers(String swarmId) {
        KnownMembers known = raftMembers.get(swarmId);
        if (known != null && System.nanoTime() < known.expiresAtNanos()) {
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
            memory.forget(swarmId);
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
}

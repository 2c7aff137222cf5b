package org.agentmesh.memory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.agentmesh.raft.Membership;
import org.agentmesh.testkit.MeshTestCluster;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import com.typesafe.config.ConfigFactory;

/**
 * A Raft group of {@link RaftMember}s spawned directly (no sharding) in one actor system on the persistence test kit's
 * in-memory journal, which outlives a member: stopping and spawning a member again is a crash and restart.
 */
final class RaftTestGroup implements AutoCloseable {

    final ActorTestKit testKit;
    final RaftSettings settings;
    final String swarmId = "g";
    final Map<String, ActorRef<RaftMember.Command>> members = new ConcurrentHashMap<>();
    final List<String> ids;
    final Membership membership;
    final MeshMemory memory;

    RaftTestGroup(List<String> ids, int maxVoters, Duration voterReplaceAfter) {
        this(ids, maxVoters, voterReplaceAfter, 10_000);
    }

    RaftTestGroup(List<String> ids, int maxVoters, Duration voterReplaceAfter, int snapshotInterval) {
        this(ids, maxVoters, voterReplaceAfter, snapshotInterval, Duration.ofSeconds(2));
    }

    RaftTestGroup(List<String> ids, int maxVoters, Duration voterReplaceAfter, int snapshotInterval, Duration requestTimeout) {
        this(ids, maxVoters, voterReplaceAfter, snapshotInterval, requestTimeout, UnaryOperator.identity());
    }

    RaftTestGroup(List<String> ids, int maxVoters, Duration voterReplaceAfter, int snapshotInterval, Duration requestTimeout,
            UnaryOperator<RaftSettings> tweak) {
        this.testKit = ActorTestKit.create("raft-test", ConfigFactory.parseString("""
                pekko.actor.serialize-messages = on
                pekko.loglevel = WARNING
                """)
                .withFallback(PersistenceTestKitPlugin.config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load()));
        RaftSettings settings = RaftSettings.from(testKit.system().settings().config())
                .withMaxVoters(maxVoters).withVoterReplaceAfter(voterReplaceAfter).withSnapshotInterval(snapshotInterval)
                .withRequestTimeout(requestTimeout);
        this.settings = tweak.apply(settings);
        this.ids = ids;
        this.membership = RaftGroup.initialMembership(ids, maxVoters);
        for (String id : ids) {
            spawn(id);
        }
        this.memory = new MeshMemory(testKit.system(), settings,
                swarm -> CompletableFuture.completedFuture(RaftGroup.contactOrder(ids, maxVoters)),
                (swarm, id) -> members.get(id));
    }

    void spawn(String id) {
        ActorRef<RaftMember.Command> ref = testKit.spawn(RaftMember.create(swarmId, id, settings, (swarm, to, command) -> {
            ActorRef<RaftMember.Command> peer = members.get(to);
            if (peer != null) {
                peer.tell(command);
            }
        }));
        members.put(id, ref);
        ref.tell(new RaftMember.Start(1, membership));
    }

    /** Stops the member's actor (its journal stays): a crash. */
    void crash(String id) {
        testKit.stop(members.get(id), Duration.ofSeconds(5));
    }

    RaftMember.RaftStatus status(String id) {
        TestProbe<RaftMember.RaftStatus> probe = testKit.createTestProbe();
        members.get(id).tell(new RaftMember.GetStatus(probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(5));
    }

    /** The member every live member agrees leads, once there is one. */
    String awaitLeader(List<String> live) {
        String[] leader = new String[1];
        MeshTestCluster.awaitUntil(Duration.ofSeconds(20), () -> {
            Optional<RaftMember.RaftStatus> l = live.stream().map(this::status).filter(s -> s.role().equals("leader")).findFirst();
            if (l.isEmpty()) {
                return false;
            }
            leader[0] = l.get().member();
            return live.stream().map(this::status).allMatch(s -> s.leader().equals(leader[0]));
        });
        return leader[0];
    }

    @Override
    public void close() {
        testKit.shutdownTestKit();
    }
}

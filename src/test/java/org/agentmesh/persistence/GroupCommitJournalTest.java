package org.agentmesh.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agentmesh.serialization.CborSerializable;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GroupCommitJournal} on an H2 file, as a node configures it: what is acknowledged survives a restart, rows
 * are interchangeable with pekko-persistence-jdbc's, concurrent writes share transactions, a bad write fails alone,
 * deletes keep the highest sequence number.
 */
class GroupCommitJournalTest {

    static final String PLUGIN = "agent-mesh.raft-journal";

    // ---- a counter entity, persisted with a chosen journal

    public record Add(int amount, ActorRef<Integer> replyTo) implements CborSerializable {}

    public record Added(int amount) implements CborSerializable {}

    public record Total(int value) implements CborSerializable {}

    static final class Counter extends EventSourcedBehavior<Add, Added, Total> {
        private final String plugin;
        private final RetentionCriteria retention;

        Counter(String id, String plugin, RetentionCriteria retention) {
            super(PersistenceId.ofUniqueId(id));
            this.plugin = plugin;
            this.retention = retention;
        }

        @Override
        public String journalPluginId() {
            return plugin;
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            return retention;
        }

        @Override
        public Total emptyState() {
            return new Total(0);
        }

        @Override
        public CommandHandler<Add, Added, Total> commandHandler() {
            return newCommandHandlerBuilder().forAnyState().onCommand(Add.class, (s, c) -> c.amount() == 0
                    ? Effect().reply(c.replyTo(), s.value())
                    : Effect().persist(new Added(c.amount())).thenReply(c.replyTo(), Total::value)).build();
        }

        @Override
        public EventHandler<Total, Added> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onEvent(Added.class, (s, e) -> new Total(s.value() + e.amount())).build();
        }
    }

    static Behavior<Add> counter(String id, String plugin) {
        return new Counter(id, plugin, RetentionCriteria.disabled());
    }

    /** A local actor system with the node's journal settings on an H2 file in {@code data}, schema created. */
    static ActorTestKit node(Path data) throws Exception {
        Config config = ConfigFactory.parseMap(Map.of(
                        "agent-mesh.data-dir", data.toAbsolutePath().toString(),
                        "pekko.actor.provider", "local",
                        "pekko.actor.serialize-messages", "on"))
                .withFallback(ConfigFactory.parseResources("agent-mesh-node.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
        ActorTestKit kit = ActorTestKit.create("journal", config);
        SchemaUtils.createIfNotExists(kit.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return kit;
    }

    @FunctionalInterface
    interface OnNode {
        void run(ActorTestKit kit) throws Exception;
    }

    /** Runs {@code body} on a node started on {@code data}, shut down afterwards (a restart is a second call). */
    static void onNode(Path data, OnNode body) throws Exception {
        ActorTestKit kit = node(data);
        try {
            body.run(kit);
        } finally {
            kit.shutdownTestKit();
        }
    }

    static int add(ActorTestKit kit, ActorRef<Add> counter, int amount) {
        TestProbe<Integer> probe = kit.createTestProbe();
        counter.tell(new Add(amount, probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    static Connection jdbc(Path data) throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + data.toAbsolutePath() + "/journal;AUTO_SERVER=TRUE", "sa", "");
    }

    static GroupCommitJournal.Counts counts(ActorTestKit kit) throws Exception {
        var journal = Persistence.get(Adapter.toClassic(kit.system())).journalFor(PLUGIN, ConfigFactory.empty());
        return (GroupCommitJournal.Counts) Patterns.ask(journal, GroupCommitJournal.GetCounts.INSTANCE, Duration.ofSeconds(5))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void whatWasAcknowledgedIsRecoveredAfterARestartAndNumberingGoesOn(@TempDir Path data) throws Exception {
        onNode(data, first -> {
            ActorRef<Add> c = first.spawn(counter("c", PLUGIN));
            for (int i = 1; i <= 10; i++) {
                add(first, c, i);
            }
        });
        onNode(data, second -> {
            ActorRef<Add> c = second.spawn(counter("c", PLUGIN));
            assertEquals(55, add(second, c, 0), "all ten events replayed in order");
            assertEquals(155, add(second, c, 100), "the next event gets the next sequence number");
        });
        try (Connection conn = jdbc(data);
                PreparedStatement ps = conn.prepareStatement(
                        "SELECT COUNT(*), MIN(\"sequence_number\"), MAX(\"sequence_number\") FROM \"event_journal\" WHERE \"persistence_id\" = 'c'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertEquals(11, rs.getLong(1));
            assertEquals(1, rs.getLong(2));
            assertEquals(11, rs.getLong(3));
        }
    }

    @Test
    void rowsAreInterchangeableWithPekkoPersistenceJdbcs(@TempDir Path data) throws Exception {
        // written by jdbc-journal, continued by ours, read back by jdbc-journal: one table, one format
        for (String plugin : List.of("jdbc-journal", PLUGIN, "jdbc-journal", PLUGIN)) {
            onNode(data, kit -> {
                ActorRef<Add> c = kit.spawn(counter("shared", plugin));
                int before = add(kit, c, 0);
                assertEquals(before + 1, add(kit, c, 1), plugin + " recovered " + before + " and went on");
            });
        }
        onNode(data, kit -> {
            assertEquals(4, add(kit, kit.spawn(counter("shared", "jdbc-journal")), 0));
        });
    }

    @Test
    void concurrentWritesOfManyEntitiesShareTransactions(@TempDir Path data) throws Exception {
        onNode(data, kit -> {
            int entities = 40;
            int each = 10;
            List<ActorRef<Add>> counters = new ArrayList<>();
            for (int i = 0; i < entities; i++) {
                counters.add(kit.spawn(counter("group-" + i, PLUGIN)));
            }
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (ActorRef<Add> c : counters) {
                for (int k = 0; k < each; k++) {
                    answers.add(org.apache.pekko.actor.typed.javadsl.AskPattern.<Add, Integer>ask(c, r -> new Add(1, r),
                            Duration.ofSeconds(20), kit.scheduler()).toCompletableFuture());
                }
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (ActorRef<Add> c : counters) {
                assertEquals(each, add(kit, c, 0));
            }
            GroupCommitJournal.Counts counts = counts(kit);
            System.out.println("group commit: " + counts);
            assertEquals(entities * each, counts.writes());
            assertTrue(counts.transactions() < counts.writes(), "writes waiting together share a commit: " + counts);
        });
    }

    @Test
    void aWriteThatCannotBeCommittedFailsOnlyItsOwnEntity(@TempDir Path data) throws Exception {
        onNode(data, kit -> {
            ActorRef<Add> warm = kit.spawn(counter("warm", PLUGIN));
            add(kit, warm, 1);
            List<ActorRef<Add>> others = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                others.add(kit.spawn(counter("ok-" + i, PLUGIN)));
            }
            ActorRef<Add> victim = kit.spawn(new Counter("victim", PLUGIN, RetentionCriteria.disabled()));
            add(kit, victim, 0); // recovered, empty
            try (Connection conn = jdbc(data); PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\", \"writer\","
                            + " \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
                            + " VALUES (false, 'victim', 1, 'other', 0, '', X'00', 1, '')")) {
                ps.executeUpdate(); // another writer took sequence number 1: the victim's next write collides
            }
            TestProbe<Integer> victimProbe = kit.createTestProbe();
            List<TestProbe<Integer>> probes = new ArrayList<>();
            victim.tell(new Add(1, victimProbe.getRef()));
            for (ActorRef<Add> o : others) {
                TestProbe<Integer> p = kit.createTestProbe();
                o.tell(new Add(1, p.getRef()));
                probes.add(p);
            }
            for (TestProbe<Integer> p : probes) {
                assertEquals(1, p.receiveMessage(Duration.ofSeconds(10)), "an entity writing beside the bad write");
            }
            victimProbe.expectTerminated(victim, Duration.ofSeconds(10)); // a persist failure stops the entity
            assertEquals(2, add(kit, warm, 1), "the journal goes on after the failure");
        });
    }

    @Test
    void deletedEventsGoExceptTheHighestAndRecoveryUsesTheSnapshot(@TempDir Path data) throws Exception {
        onNode(data, kit -> {
            ActorRef<Add> c = kit.spawn(new Counter("compacted", PLUGIN,
                    RetentionCriteria.snapshotEvery(3, 1).withDeleteEventsOnSnapshot()));
            for (int i = 0; i < 7; i++) {
                add(kit, c, 1);
            }
        });
        Set<Long> left = new java.util.TreeSet<>();
        try (Connection conn = jdbc(data); PreparedStatement ps = conn.prepareStatement(
                "SELECT \"sequence_number\" FROM \"event_journal\" WHERE \"persistence_id\" = 'compacted'");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                left.add(rs.getLong(1));
            }
        }
        // snapshots at 3 and 6, keeping one snapshot's worth: events up to 3 deleted (3 kept, marked), 4..7 left
        assertEquals(Set.of(3L, 4L, 5L, 6L, 7L), left);
        onNode(data, again -> {
            ActorRef<Add> c = again.spawn(counter("compacted", PLUGIN));
            assertEquals(7, add(again, c, 0));
            assertEquals(8, add(again, c, 1));
        });
    }
}

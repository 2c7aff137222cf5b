package org.agentmesh.persistence;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;
import scala.concurrent.Promise;

/**
 * A Pekko journal plugin for the Raft log's hot path: it writes the very rows pekko-persistence-jdbc writes (its
 * {@code event_journal} table and columns, in the same database), over plain JDBC from one writer thread that commits
 * every write waiting for it in one transaction (group commit).
 *
 * <p><b>Why.</b> A Raft member cannot acknowledge before its log write is durable, so with one client every commit
 * waits for a journal write on a follower. Through pekko-persistence-jdbc that write crosses the journal's stream
 * queue, Slick's executor and several futures before the answer comes back. Here the journal actor serializes the
 * events and hands them to the writer; the writer's answer completes the write (one entity persisting 300-byte events
 * on an H2 file: 0.57 against 0.74-0.81 ms p50, see the README). Under load the group commit makes one transaction of
 * the writes of every member on the node.
 *
 * <p><b>Same rows.</b> Events are serialized like pekko-persistence-jdbc does (serializer id, manifest, payload, the
 * adapter manifest, writer and timestamp), so either plugin reads what the other wrote, the schema is the one
 * {@code SchemaUtils} creates, and a data directory written before this plugin existed recovers unchanged.
 * Tagged events are refused (this journal keeps no {@code event_tag} rows): entities that tag stay on
 * {@code jdbc-journal}.
 *
 * <p><b>Failures.</b> If a group's transaction fails, each of its writes is tried again alone, so one bad write (say,
 * a sequence number another writer took) fails only its own persistent actor. A broken connection is opened again
 * for the next write. Replays, highest sequence numbers and deletes run on the writer thread too, in order, so a
 * replay sees every acknowledged write.
 *
 * <p>Config (the plugin's block, see {@code agent-mesh.raft-journal} in {@code reference.conf}): {@code
 * shared-database} names the pekko-persistence-jdbc shared database whose {@code db.url}, {@code db.user}, {@code
 * db.password} and {@code db.driver} it uses; {@code max-group} caps the writes of one transaction.
 */
public final class GroupCommitJournal extends org.apache.pekko.persistence.journal.japi.AsyncWriteJournal {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitJournal.class);

    private static final String TABLE = "\"event_journal\"";
    private static final String INSERT = "INSERT INTO " + TABLE + " (\"deleted\", \"persistence_id\", \"sequence_number\","
            + " \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
            + " \"event_ser_manifest\", \"meta_payload\", \"meta_ser_id\", \"meta_ser_manifest\")"
            + " VALUES (false, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String REPLAY = "SELECT \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\","
            + " \"event_payload\", \"event_ser_id\", \"event_ser_manifest\", \"meta_payload\", \"meta_ser_id\", \"meta_ser_manifest\""
            + " FROM " + TABLE + " WHERE \"persistence_id\" = ? AND \"deleted\" = false"
            + " AND \"sequence_number\" >= ? AND \"sequence_number\" <= ? ORDER BY \"sequence_number\"";
    private static final String HIGHEST = "SELECT MAX(\"sequence_number\") FROM " + TABLE + " WHERE \"persistence_id\" = ?";
    private static final String MARK_DELETED = "UPDATE " + TABLE + " SET \"deleted\" = true"
            + " WHERE \"persistence_id\" = ? AND \"sequence_number\" <= ?";
    private static final String HIGHEST_DELETED = "SELECT MAX(\"sequence_number\") FROM " + TABLE
            + " WHERE \"persistence_id\" = ? AND \"deleted\" = true";
    /** Deleted rows go, except the highest, which keeps the sequence number from being used again. */
    private static final String DELETE = "DELETE FROM " + TABLE + " WHERE \"persistence_id\" = ? AND \"sequence_number\" < ?";

    /** One event as a row of {@code event_journal}. */
    private record Row(String persistenceId, long sequenceNr, String writer, long timestamp, String adapterManifest,
            byte[] payload, int serializerId, String serializerManifest, Optional<Serialized> meta) {}

    private record Serialized(byte[] bytes, int serializerId, String manifest) {}

    /** Work for the writer thread. */
    private sealed interface Job {}

    /** {@code results} (one per atomic write, rejections included) answer the journal once the rows are committed. */
    private record Write(List<Row> rows, Iterable<Optional<Exception>> results,
            Promise<Iterable<Optional<Exception>>> done) implements Job {
        void succeed() {
            done.success(results);
        }
    }

    /** A job that is not a write: runs alone, in queue order; if it throws (or the journal stops), {@code onFailure} fails. */
    private record Other(Operation operation, Promise<?> onFailure) implements Job {}

    @FunctionalInterface
    private interface Operation {
        void run(Connection connection) throws Exception;
    }

    private static final Job STOP = new Other(c -> {}, Futures.promise());

    private final Serialization serialization;
    private final String url;
    private final String user;
    private final String password;
    private final int maxGroup;
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private Connection connection;

    public GroupCommitJournal(Config config) throws ClassNotFoundException {
        Config db = context().system().settings().config()
                .getConfig("pekko-persistence-jdbc.shared-databases." + config.getString("shared-database") + ".db");
        this.url = db.getString("url");
        this.user = db.hasPath("user") ? db.getString("user") : "";
        this.password = db.hasPath("password") ? db.getString("password") : "";
        if (db.hasPath("driver")) {
            Class.forName(db.getString("driver"));
        }
        this.maxGroup = config.getInt("max-group");
        if (maxGroup < 1) {
            throw new IllegalArgumentException(config.origin().description() + ": max-group must be at least 1");
        }
        this.serialization = SerializationExtension.get(context().system());
        this.writer = new Thread(this::drain, "agent-mesh-journal-writer-" + self().path().name());
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void postStop() {
        jobs.add(STOP);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the journal actor for its {@link Counts} (a local question: never crosses the wire). */
    public enum GetCounts implements NoSerializationVerificationNeeded { INSTANCE }

    /** Writes committed and the transactions they took (a group commit makes fewer transactions than writes). */
    public record Counts(long writes, long transactions) implements NoSerializationVerificationNeeded {}

    @Override
    public scala.PartialFunction<Object, scala.runtime.BoxedUnit> receivePluginInternal() {
        return new org.apache.pekko.japi.pf.ReceiveBuilder()
                .matchEquals(GetCounts.INSTANCE, g -> sender().tell(new Counts(writes.get(), transactions.get()), self()))
                .build().onMessage();
    }

    // ---- the journal actor's side: serialize, hand over

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        List<Row> rows = new ArrayList<>();
        List<Optional<Exception>> results = new ArrayList<>();
        for (AtomicWrite write : messages) {
            List<Row> own = new ArrayList<>();
            try {
                scala.collection.Iterator<PersistentRepr> events = write.payload().iterator();
                while (events.hasNext()) {
                    own.add(row(events.next()));
                }
                rows.addAll(own);
                results.add(Optional.empty());
            } catch (Exception e) {
                results.add(Optional.of(e)); // rejected: not written, the persistent actor goes on
            }
        }
        if (rows.isEmpty()) {
            return Futures.successful(results);
        }
        Promise<Iterable<Optional<Exception>>> done = Futures.promise();
        jobs.add(new Write(rows, results, done));
        return done.future();
    }

    private Row row(PersistentRepr repr) {
        Object payload = repr.payload();
        if (payload instanceof Tagged) {
            throw new IllegalArgumentException("GroupCommitJournal keeps no tags: persist tagged events (" + repr.persistenceId()
                    + ") through jdbc-journal");
        }
        Serialized event = serialize(payload);
        Optional<Serialized> meta = repr.metadata().isDefined() ? Optional.of(serialize(repr.metadata().get())) : Optional.empty();
        return new Row(repr.persistenceId(), repr.sequenceNr(), repr.writerUuid(), repr.timestamp(), repr.manifest(),
                event.bytes(), event.serializerId(), event.manifest(), meta);
    }

    private Serialized serialize(Object o) {
        Serializer serializer = serialization.findSerializerFor(o);
        byte[] bytes = serialization.serialize(o).get(); // with transport information, for actor refs inside
        return new Serialized(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
            Consumer<PersistentRepr> replayCallback) {
        return submit(c -> {
            if (max <= 0) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(REPLAY)) {
                ps.setString(1, persistenceId);
                ps.setLong(2, fromSequenceNr);
                ps.setLong(3, toSequenceNr);
                if (max < Integer.MAX_VALUE) {
                    ps.setMaxRows((int) max);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        replayCallback.accept(repr(persistenceId, rs));
                    }
                }
            }
            c.commit();
        });
    }

    private PersistentRepr repr(String persistenceId, ResultSet rs) throws SQLException {
        Object payload = serialization.deserialize(rs.getBytes(5), rs.getInt(6), rs.getString(7)).get();
        PersistentRepr repr = PersistentRepr.apply(payload, rs.getLong(1), persistenceId, rs.getString(4), false, null,
                rs.getString(2)).withTimestamp(rs.getLong(3));
        byte[] meta = rs.getBytes(8);
        if (meta != null) {
            repr = repr.withMetadata(serialization.deserialize(meta, rs.getInt(9), rs.getString(10)).get());
        }
        return repr;
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        Promise<Long> result = Futures.promise();
        submit(c -> {
            long highest = 0;
            try (PreparedStatement ps = c.prepareStatement(HIGHEST)) {
                ps.setString(1, persistenceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        highest = rs.getLong(1);
                    }
                }
            }
            c.commit();
            result.success(highest);
        }, result);
        return result.future();
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return submit(c -> {
            try (PreparedStatement mark = c.prepareStatement(MARK_DELETED);
                    PreparedStatement highest = c.prepareStatement(HIGHEST_DELETED);
                    PreparedStatement delete = c.prepareStatement(DELETE)) {
                mark.setString(1, persistenceId);
                mark.setLong(2, toSequenceNr);
                mark.executeUpdate();
                highest.setString(1, persistenceId);
                long highestDeleted = 0;
                try (ResultSet rs = highest.executeQuery()) {
                    if (rs.next()) {
                        highestDeleted = rs.getLong(1);
                    }
                }
                delete.setString(1, persistenceId);
                delete.setLong(2, highestDeleted);
                delete.executeUpdate();
            }
            c.commit();
        });
    }

    /** Runs {@code operation} on the writer thread; the future completes when it has. */
    private Future<Void> submit(Operation operation) {
        Promise<Void> done = Futures.promise();
        submit(c -> {
            operation.run(c);
            done.success(null);
        }, done);
        return done.future();
    }

    /** Runs {@code operation} on the writer thread, which completes {@code result}; a failure fails it. */
    private void submit(Operation operation, Promise<?> result) {
        jobs.add(new Other(operation, result));
    }

    // ---- the writer thread

    private void drain() {
        List<Job> taken = new ArrayList<>();
        try {
            while (true) {
                taken.add(jobs.take());
                jobs.drainTo(taken, maxGroup - 1);
                List<Write> group = new ArrayList<>();
                for (Job job : taken) {
                    if (job == STOP) {
                        commit(group);
                        failRemaining();
                        close();
                        return;
                    }
                    if (job instanceof Write w) {
                        group.add(w);
                    } else {
                        commit(group); // earlier writes first: a replay or a read sees them
                        group.clear();
                        runAlone((Other) job);
                    }
                }
                commit(group);
                taken.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failRemaining();
            close();
        }
    }

    /** One transaction for the group; if it fails, each write alone, so that only a bad write fails. */
    private void commit(List<Write> group) {
        if (group.isEmpty()) {
            return;
        }
        try {
            insert(group);
            for (Write w : group) {
                w.succeed();
            }
            return;
        } catch (Exception e) {
            rollback();
            if (group.size() == 1) {
                group.get(0).done().failure(e);
                return;
            }
            log.debug("a group of {} journal writes failed ({}); writing them one by one", group.size(), e.toString());
        }
        for (Write w : group) {
            try {
                insert(List.of(w));
                w.succeed();
            } catch (Exception e) {
                rollback();
                w.done().failure(e);
            }
        }
    }

    private void insert(List<Write> group) throws SQLException {
        Connection c = connection();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Write w : group) {
                for (Row r : w.rows()) {
                    ps.setString(1, r.persistenceId());
                    ps.setLong(2, r.sequenceNr());
                    ps.setString(3, r.writer());
                    ps.setLong(4, r.timestamp());
                    ps.setString(5, r.adapterManifest());
                    ps.setBytes(6, r.payload());
                    ps.setInt(7, r.serializerId());
                    ps.setString(8, r.serializerManifest());
                    if (r.meta().isPresent()) {
                        ps.setBytes(9, r.meta().get().bytes());
                        ps.setInt(10, r.meta().get().serializerId());
                        ps.setString(11, r.meta().get().manifest());
                    } else {
                        ps.setNull(9, java.sql.Types.BINARY);
                        ps.setNull(10, java.sql.Types.INTEGER);
                        ps.setNull(11, java.sql.Types.VARCHAR);
                    }
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
        c.commit();
        transactions.incrementAndGet();
        writes.addAndGet(group.size());
    }

    private void runAlone(Other job) {
        try {
            job.operation().run(connection());
        } catch (Exception e) {
            rollback();
            job.onFailure().tryFailure(e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(url, user, password);
            connection.setAutoCommit(false);
        }
        return connection;
    }

    /** Undoes a failed transaction; a connection that cannot even roll back is dropped and opened again later. */
    private void rollback() {
        if (connection == null) {
            return;
        }
        try {
            connection.rollback();
            if (connection.isValid(1)) {
                return;
            }
        } catch (SQLException e) {
            log.debug("journal connection dropped: {}", e.toString());
        }
        close();
    }

    private void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the journal connection: {}", e.toString());
            }
            connection = null;
        }
    }

    private void failRemaining() {
        List<Job> left = new ArrayList<>();
        jobs.drainTo(left);
        IllegalStateException stopped = new IllegalStateException("the journal stopped");
        for (Job job : left) {
            if (job instanceof Write w) {
                w.done().tryFailure(stopped);
            } else if (job instanceof Other o) {
                o.onFailure().tryFailure(stopped);
            }
        }
    }
}

package org.agentmesh.memory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.agentmesh.raft.EntryPayload;
import org.agentmesh.raft.HardState;
import org.agentmesh.raft.LogEntry;
import org.agentmesh.raft.Membership;
import org.agentmesh.raft.RaftMessage;
import org.agentmesh.raft.Snapshot;
import org.agentmesh.raft.SnapshotMeta;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The binary format of the Raft hot path: {@link RaftMember.Deliver} (every message between members) and
 * {@link RaftMember.Persisted} (every log write). Jackson CBOR wrote field and type names into every message and
 * event and walked them by reflection, the largest cost per request left in the profile of {@code bench raft}; this
 * writes the fields in a fixed order after a format version byte. Events written earlier by Jackson still read back:
 * the journal keeps each event's serializer id.
 */
public final class RaftMemberSerializer extends SerializerWithStringManifest {

    /** Unique among the serializers of the actor system (Pekko reserves 0 to 40). */
    public static final int ID = 7_301;
    private static final byte VERSION = 1;
    private static final String DELIVER = "D";
    private static final String PERSISTED = "P";

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;

    public RaftMemberSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public int identifier() {
        return ID;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof RaftMember.Deliver) {
            return DELIVER;
        } else if (o instanceof RaftMember.Persisted) {
            return PERSISTED;
        }
        throw new IllegalArgumentException("not a Raft message or event: " + o.getClass());
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            if (o instanceof RaftMember.Deliver d) {
                out.writeLong(d.generation());
                out.writeUTF(resolver().toSerializationFormat(d.sender()));
                writeMessage(out, d.message());
            } else if (o instanceof RaftMember.Persisted p) {
                writeHardState(out, p.hardState());
                out.writeInt(p.snapshot().size());
                for (Snapshot s : p.snapshot()) {
                    writeSnapshot(out, s);
                }
                out.writeBoolean(p.restoreSnapshot());
                writeEntries(out, p.entries());
            } else {
                throw new IllegalArgumentException("not a Raft message or event: " + o.getClass());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new NotSerializableException("unknown Raft format version " + version);
            }
            switch (manifest) {
                case DELIVER -> {
                    long generation = in.readLong();
                    ActorRef<RaftMember.Command> sender = resolver().resolveActorRef(in.readUTF());
                    return new RaftMember.Deliver(generation, readMessage(in), sender);
                }
                case PERSISTED -> {
                    HardState hs = readHardState(in);
                    int snapshots = in.readInt();
                    List<Snapshot> snapshot = new ArrayList<>(snapshots);
                    for (int i = 0; i < snapshots; i++) {
                        snapshot.add(readSnapshot(in));
                    }
                    boolean restore = in.readBoolean();
                    return new RaftMember.Persisted(hs, snapshot, restore, readEntries(in));
                }
                default -> throw new NotSerializableException("unknown Raft manifest " + manifest);
            }
        } catch (IOException e) {
            NotSerializableException n = new NotSerializableException("corrupt Raft " + manifest + ": " + e);
            n.initCause(e);
            throw n;
        }
    }

    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) {
            r = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = r;
        }
        return r;
    }

    // ---- messages: a tag, then from, to, term, then the fields of the type in declaration order

    private static final byte PRE_VOTE_REQUEST = 0;
    private static final byte PRE_VOTE_RESPONSE = 1;
    private static final byte VOTE_REQUEST = 2;
    private static final byte VOTE_RESPONSE = 3;
    private static final byte APPEND_ENTRIES = 4;
    private static final byte APPEND_ENTRIES_RESPONSE = 5;
    private static final byte HEARTBEAT = 6;
    private static final byte HEARTBEAT_RESPONSE = 7;
    private static final byte INSTALL_SNAPSHOT = 8;
    private static final byte TIMEOUT_NOW = 9;
    private static final byte READ_INDEX_REQUEST = 10;
    private static final byte READ_INDEX_RESPONSE = 11;

    static void writeMessage(DataOutputStream out, RaftMessage m) throws IOException {
        if (m instanceof RaftMessage.PreVoteRequest r) {
            head(out, PRE_VOTE_REQUEST, m);
            out.writeLong(r.lastLogIndex());
            out.writeLong(r.lastLogTerm());
        } else if (m instanceof RaftMessage.PreVoteResponse r) {
            head(out, PRE_VOTE_RESPONSE, m);
            out.writeBoolean(r.granted());
        } else if (m instanceof RaftMessage.VoteRequest r) {
            head(out, VOTE_REQUEST, m);
            out.writeLong(r.lastLogIndex());
            out.writeLong(r.lastLogTerm());
            out.writeBoolean(r.leadershipTransfer());
        } else if (m instanceof RaftMessage.VoteResponse r) {
            head(out, VOTE_RESPONSE, m);
            out.writeBoolean(r.granted());
        } else if (m instanceof RaftMessage.AppendEntries a) {
            head(out, APPEND_ENTRIES, m);
            out.writeLong(a.prevLogIndex());
            out.writeLong(a.prevLogTerm());
            writeEntries(out, a.entries());
            out.writeLong(a.leaderCommit());
        } else if (m instanceof RaftMessage.AppendEntriesResponse r) {
            head(out, APPEND_ENTRIES_RESPONSE, m);
            out.writeBoolean(r.success());
            out.writeLong(r.index());
            out.writeLong(r.hintIndex());
            out.writeLong(r.hintTerm());
        } else if (m instanceof RaftMessage.Heartbeat h) {
            head(out, HEARTBEAT, m);
            out.writeLong(h.commit());
            out.writeLong(h.seq());
        } else if (m instanceof RaftMessage.HeartbeatResponse h) {
            head(out, HEARTBEAT_RESPONSE, m);
            out.writeLong(h.seq());
        } else if (m instanceof RaftMessage.InstallSnapshot s) {
            head(out, INSTALL_SNAPSHOT, m);
            writeSnapshot(out, s.snapshot());
        } else if (m instanceof RaftMessage.TimeoutNow) {
            head(out, TIMEOUT_NOW, m);
        } else if (m instanceof RaftMessage.ReadIndexRequest r) {
            head(out, READ_INDEX_REQUEST, m);
            out.writeLong(r.requestId());
        } else if (m instanceof RaftMessage.ReadIndexResponse r) {
            head(out, READ_INDEX_RESPONSE, m);
            out.writeLong(r.requestId());
            out.writeLong(r.readIndex());
            out.writeBoolean(r.success());
        } else {
            throw new IllegalArgumentException("unknown Raft message " + m.getClass());
        }
    }

    private static void head(DataOutputStream out, byte tag, RaftMessage m) throws IOException {
        out.writeByte(tag);
        out.writeUTF(m.from());
        out.writeUTF(m.to());
        out.writeLong(m.term());
    }

    static RaftMessage readMessage(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        String from = in.readUTF();
        String to = in.readUTF();
        long term = in.readLong();
        return switch (tag) {
            case PRE_VOTE_REQUEST -> new RaftMessage.PreVoteRequest(from, to, term, in.readLong(), in.readLong());
            case PRE_VOTE_RESPONSE -> new RaftMessage.PreVoteResponse(from, to, term, in.readBoolean());
            case VOTE_REQUEST -> new RaftMessage.VoteRequest(from, to, term, in.readLong(), in.readLong(), in.readBoolean());
            case VOTE_RESPONSE -> new RaftMessage.VoteResponse(from, to, term, in.readBoolean());
            case APPEND_ENTRIES -> new RaftMessage.AppendEntries(from, to, term, in.readLong(), in.readLong(),
                    readEntries(in), in.readLong());
            case APPEND_ENTRIES_RESPONSE -> new RaftMessage.AppendEntriesResponse(from, to, term, in.readBoolean(),
                    in.readLong(), in.readLong(), in.readLong());
            case HEARTBEAT -> new RaftMessage.Heartbeat(from, to, term, in.readLong(), in.readLong());
            case HEARTBEAT_RESPONSE -> new RaftMessage.HeartbeatResponse(from, to, term, in.readLong());
            case INSTALL_SNAPSHOT -> new RaftMessage.InstallSnapshot(from, to, term, readSnapshot(in));
            case TIMEOUT_NOW -> new RaftMessage.TimeoutNow(from, to, term);
            case READ_INDEX_REQUEST -> new RaftMessage.ReadIndexRequest(from, to, term, in.readLong());
            case READ_INDEX_RESPONSE -> new RaftMessage.ReadIndexResponse(from, to, term, in.readLong(), in.readLong(),
                    in.readBoolean());
            default -> throw new IOException("unknown Raft message tag " + tag);
        };
    }

    // ---- entries, snapshots, hard state

    private static final byte COMMAND = 0;
    private static final byte NO_OP = 1;
    private static final byte CONFIG_CHANGE = 2;

    static void writeEntries(DataOutputStream out, List<LogEntry> entries) throws IOException {
        out.writeInt(entries.size());
        for (LogEntry e : entries) {
            out.writeLong(e.index());
            out.writeLong(e.term());
            if (e.payload() instanceof EntryPayload.Command c) {
                out.writeByte(COMMAND);
                writeBytes(out, c.data());
            } else if (e.payload() instanceof EntryPayload.ConfigChange c) {
                out.writeByte(CONFIG_CHANGE);
                writeMembership(out, c.membership());
            } else {
                out.writeByte(NO_OP);
            }
        }
    }

    static List<LogEntry> readEntries(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<LogEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long index = in.readLong();
            long term = in.readLong();
            byte kind = in.readByte();
            EntryPayload payload = switch (kind) {
                case COMMAND -> new EntryPayload.Command(readBytes(in));
                case NO_OP -> new EntryPayload.NoOp();
                case CONFIG_CHANGE -> new EntryPayload.ConfigChange(readMembership(in));
                default -> throw new IOException("unknown entry payload " + kind);
            };
            entries.add(new LogEntry(index, term, payload));
        }
        return entries;
    }

    private static void writeSnapshot(DataOutputStream out, Snapshot s) throws IOException {
        out.writeLong(s.meta().index());
        out.writeLong(s.meta().term());
        writeMembership(out, s.meta().membership());
        writeBytes(out, s.data());
    }

    private static Snapshot readSnapshot(DataInputStream in) throws IOException {
        SnapshotMeta meta = new SnapshotMeta(in.readLong(), in.readLong(), readMembership(in));
        return new Snapshot(meta, readBytes(in));
    }

    private static void writeHardState(DataOutputStream out, HardState hs) throws IOException {
        out.writeLong(hs.term());
        out.writeUTF(hs.votedFor());
        out.writeLong(hs.commit());
    }

    private static HardState readHardState(DataInputStream in) throws IOException {
        return new HardState(in.readLong(), in.readUTF(), in.readLong());
    }

    private static void writeMembership(DataOutputStream out, Membership m) throws IOException {
        writeStrings(out, m.voters());
        writeStrings(out, m.learners());
    }

    private static Membership readMembership(DataInputStream in) throws IOException {
        return new Membership(readStrings(in), readStrings(in));
    }

    private static void writeStrings(DataOutputStream out, List<String> strings) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            out.writeUTF(s);
        }
    }

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> strings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            strings.add(in.readUTF());
        }
        return strings;
    }

    private static void writeBytes(DataOutputStream out, byte[] data) throws IOException {
        out.writeInt(data.length);
        out.write(data);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("byte array of " + n + " bytes, " + in.available() + " left");
        }
        byte[] data = new byte[n];
        in.readFully(data);
        return data;
    }
}

package org.agentmesh.bench;

import org.agentmesh.testkit.MeshTestCluster;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * The peer we measure against: three Apache Ratis servers in this JVM on loopback gRPC ports, replicating a trivial
 * register state machine; the log on disk ({@code durable}: each batch written to the OS before it counts as flushed, the
 * fsync in the background, as {@code raft.server.log.unsafe-flush.enabled}) or in memory ({@code setUseMemory(true)}).
 */
final class RatisCluster implements AutoCloseable {

    /** Keeps the last value written and counts writes; replies with the count. */
    static final class RegisterStateMachine extends BaseStateMachine {
        private final AtomicLong writes = new AtomicLong();
        private volatile byte[] value = new byte[0];

        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            var entry = trx.getLogEntry();
            value = entry.getStateMachineLogEntry().getLogData().toByteArray();
            long n = writes.incrementAndGet();
            updateLastAppliedTermIndex(TermIndex.valueOf(entry.getTerm(), entry.getIndex()));
            return CompletableFuture.completedFuture(Message.valueOf(Long.toString(n)));
        }
    }

    private final List<RaftServer> servers = new ArrayList<>();
    private final List<RaftClient> clients = new ArrayList<>();
    private final Path dir;

    RatisCluster(boolean durable, int clientCount) throws IOException {
        this.dir = Files.createTempDirectory("ratis-bench");
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(RaftPeer.newBuilder().setId("s" + i).setAddress("127.0.0.1:" + MeshTestCluster.freePort()).build());
        }
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
        for (int i = 0; i < 3; i++) {
            RaftProperties p = new RaftProperties();
            RaftServerConfigKeys.setStorageDir(p, List.of(new File(dir.toFile(), "s" + i)));
            GrpcConfigKeys.Server.setPort(p, Integer.parseInt(peers.get(i).getAddress().split(":")[1]));
            RaftServerConfigKeys.Log.setUseMemory(p, !durable);
            // the durability of our H2 journal (each commit written to the OS, not fsynced before the ack): Ratis
            // writes each batch to its segment file and forces it in the background instead of waiting for the force
            RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, durable);
            RaftServer server = RaftServer.newBuilder()
                    .setServerId(RaftPeerId.valueOf("s" + i))
                    .setGroup(group)
                    .setStateMachine(new RegisterStateMachine())
                    .setProperties(p)
                    .build();
            server.start();
            servers.add(server);
        }
        RaftProperties cp = new RaftProperties();
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(cp, 1024);
        for (int i = 0; i < clientCount; i++) {
            clients.add(RaftClient.newBuilder().setProperties(cp).setRaftGroup(group).build());
        }
    }

    /** One write of {@code payload} through client {@code c} (clients are shared round-robin by the callers). */
    CompletionStage<RaftClientReply> write(int c, String payload) {
        return clients.get(c % clients.size()).async().send(Message.valueOf(payload)).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new IllegalStateException("ratis write failed: " + reply.getException());
            }
            return reply;
        });
    }

    /** Blocks until a write commits (a leader is elected). */
    void awaitLeader() {
        write(0, "warm-up").toCompletableFuture().join();
    }

    @Override
    public void close() {
        for (RaftClient c : clients) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (RaftServer s : servers) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}

package org.agentmesh.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.routing.ConsistentHash;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Places shards on nodes by consistent hashing (Pekko's {@link ConsistentHash}, with virtual nodes): the node of a
 * shard is the first node clockwise from the shard id's hash on a ring of the nodes' addresses. When a node joins,
 * only the shards whose ring owner became the new node move to it (about 1/N of them); when a node leaves, only its
 * shards move. Together with a message extractor that hashes the task id to a shard, this makes task sharding a DHT.
 *
 * <p>The ring is built from node addresses ({@code host:port}), not actor refs, so it is the same whichever node runs
 * the shard coordinator. Rebalancing moves at most {@code maxMovesPerRound} misplaced shards per round.
 */
public final class ConsistentHashAllocation extends ShardCoordinator.AbstractShardAllocationStrategy
        implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

    private final int virtualNodes;
    private final int maxMovesPerRound;
    private Address selfAddress;

    public ConsistentHashAllocation(int virtualNodes, int maxMovesPerRound) {
        if (virtualNodes < 1 || maxMovesPerRound < 1) {
            throw new IllegalArgumentException("virtualNodes and maxMovesPerRound must be >= 1");
        }
        this.virtualNodes = virtualNodes;
        this.maxMovesPerRound = maxMovesPerRound;
    }

    @Override
    public void start(ActorSystem system) {
        this.selfAddress = Cluster.get(system).selfAddress();
    }

    /** The ring key of a region: its node's host:port (a local ref has no host, so it is this node). */
    String nodeKey(ActorRef region) {
        Address a = region.path().address();
        if (a.host().isEmpty() && selfAddress != null) {
            a = selfAddress;
        }
        return a.host().getOrElse(() -> "local") + ":" + a.port().getOrElse(() -> 0);
    }

    /** The region that owns {@code shardId} on a ring of {@code regions}. */
    ActorRef owner(String shardId, Iterable<ActorRef> regions) {
        Map<String, ActorRef> byKey = new TreeMap<>();
        for (ActorRef r : regions) {
            byKey.put(nodeKey(r), r);
        }
        ConsistentHash<String> ring = ConsistentHash.create(byKey.keySet(), virtualNodes);
        return byKey.get(ring.nodeFor(shardId));
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
            Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        if (currentShardAllocations.isEmpty()) {
            return Futures.successful(requester);
        }
        return Futures.successful(owner(shardId, currentShardAllocations.keySet()));
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
            Set<String> rebalanceInProgress) {
        return Futures.successful(misplaced(currentShardAllocations, rebalanceInProgress));
    }

    /** Shards that do not sit on their ring owner, at most {@code maxMovesPerRound}, in a stable order. */
    Set<String> misplaced(Map<ActorRef, IndexedSeq<String>> allocations, Set<String> inProgress) {
        if (allocations.size() < 2 || !inProgress.isEmpty()) {
            return Set.of();
        }
        Map<String, ActorRef> byKey = new TreeMap<>();
        allocations.keySet().forEach(r -> byKey.put(nodeKey(r), r));
        ConsistentHash<String> ring = ConsistentHash.create(byKey.keySet(), virtualNodes);
        List<String> wrong = new ArrayList<>();
        Map<String, ActorRef> location = new HashMap<>();
        allocations.forEach((region, shards) -> shards.foreach(s -> location.put(s, region)));
        new TreeMap<>(location).forEach((shard, region) -> {
            if (!byKey.get(ring.nodeFor(shard)).equals(region)) {
                wrong.add(shard);
            }
        });
        return new HashSet<>(wrong.subList(0, Math.min(wrong.size(), maxMovesPerRound)));
    }
}

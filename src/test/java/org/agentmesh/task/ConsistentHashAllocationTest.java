package org.agentmesh.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import scala.collection.immutable.IndexedSeq;
import scala.jdk.javaapi.CollectionConverters;

/** The DHT placement: shards go to their ring owner, and a node joining or leaving moves only its share. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsistentHashAllocationTest {

    private ActorSystem system;
    private final ConsistentHashAllocation strategy = new ConsistentHashAllocation(100, 10_000);

    @BeforeAll
    void start() {
        system = ActorSystem.create("agent-mesh", ConfigFactory.parseString(
                "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\npekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
        strategy.start(system);
    }

    @AfterAll
    void stop() {
        system.terminate();
    }

    private ActorRef region(int port) {
        return ((ExtendedActorSystem) system).provider().resolveActorRef("pekko://agent-mesh@10.0.0.1:" + port + "/system/sharding/Task");
    }

    private Map<ActorRef, IndexedSeq<String>> place(List<ActorRef> regions, int shards) {
        Map<ActorRef, List<String>> placed = new HashMap<>();
        regions.forEach(r -> placed.put(r, new ArrayList<>()));
        for (int s = 0; s < shards; s++) {
            placed.get(strategy.owner(String.valueOf(s), regions)).add(String.valueOf(s));
        }
        Map<ActorRef, IndexedSeq<String>> scala = new HashMap<>();
        placed.forEach((r, l) -> scala.put(r, CollectionConverters.asScala(l).toIndexedSeq()));
        return scala;
    }

    @Test
    void shardsSpreadOverTheRingAndStayPutWhenNothingChanges() {
        List<ActorRef> regions = List.of(region(1), region(2), region(3));
        Map<ActorRef, IndexedSeq<String>> placed = place(regions, 300);
        placed.values().forEach(shards -> assertTrue(shards.size() > 50 && shards.size() < 150, "share " + shards.size()));
        assertEquals(Set.of(), strategy.misplaced(placed, Set.of()));
    }

    @Test
    void aJoiningNodeTakesAboutAQuarterOfTheShardsFromFourAndNothingElseMoves() {
        Map<ActorRef, IndexedSeq<String>> placed = place(List.of(region(1), region(2), region(3)), 1000);
        Map<ActorRef, IndexedSeq<String>> withNewNode = new HashMap<>(placed);
        withNewNode.put(region(4), CollectionConverters.asScala(List.<String>of()).toIndexedSeq());
        Set<String> moves = strategy.misplaced(withNewNode, Set.of());
        System.out.println("a 4th node takes " + moves.size() + " of 1000 shards");
        assertTrue(moves.size() > 150 && moves.size() < 350, "moves " + moves.size());
        for (String shard : moves) {
            assertEquals(region(4), strategy.owner(shard, withNewNode.keySet()), "only shards now owned by the new node move");
        }
    }

    @Test
    void aLeavingNodesShardsAreTheOnlyOnesReallocated() {
        List<ActorRef> four = List.of(region(1), region(2), region(3), region(4));
        Map<ActorRef, IndexedSeq<String>> placed = place(four, 1000);
        Map<ActorRef, IndexedSeq<String>> without = new HashMap<>(placed);
        without.remove(region(4));
        // shards on the survivors are still on their owners; the lost node's shards get new owners among the survivors
        assertEquals(Set.of(), strategy.misplaced(without, Set.of()));
        for (String shard : CollectionConverters.asJava(placed.get(region(4)))) {
            assertTrue(without.containsKey(strategy.owner(shard, without.keySet())));
        }
    }
}

package org.agentmesh.strategy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agentmesh.swarm.Strategy;
import org.apache.pekko.routing.ConsistentHash;

/**
 * DHT placement (the seed's {@code TaskDistributionDHT}): the owner of a task is the agent whose virtual node follows
 * the hash of the task id on a consistent-hash ring ({@link ConsistentHash} from pekko-actor, an immutable value) built
 * over the live agents capable of the task. Load is ignored by design: the owner is a pure function of the task id and
 * the set of capable live agents, so any node computes the same owner without coordination.
 *
 * <p><b>Why an agent joining or leaving moves only about 1/N of the tasks.</b> Each agent puts {@code virtualNodes}
 * points on the ring; a task belongs to the first point clockwise of its hash. Adding an agent inserts its points and
 * takes over exactly the keys between each new point and the point before it, which is on average 1/(N+1) of the key
 * space; every other key keeps its owner, because the points it sees first have not moved. Removing an agent hands
 * only that agent's keys (about 1/N) to the successors of its points. Many virtual nodes per agent make every agent's
 * share of the ring close to 1/N (the spread of arc lengths shrinks like 1/sqrt(virtualNodes)), so "about 1/N" holds
 * for each agent, not only on average. A modulo hash ({@code hash % N}) would instead move about N/(N+1) of all keys.
 */
public final class DhtStrategy implements AssignmentStrategy {

    private static final int CACHED_RINGS = 64;

    private final AssignmentConfig config;
    private final Map<List<String>, ConsistentHash<String>> rings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, ConsistentHash<String>> eldest) {
            return size() > CACHED_RINGS;
        }
    };

    public DhtStrategy(AssignmentConfig config) {
        this.config = config;
    }

    @Override
    public Strategy kind() {
        return Strategy.DHT;
    }

    @Override
    public Assignment assign(TaskRequirements task, List<AgentLoad> agents) {
        List<AssignmentStrategy.Candidate> capable = AssignmentStrategy.capable(task, agents, config.matchThreshold());
        if (capable.isEmpty()) {
            return AssignmentStrategy.noCapableAgent(kind(), task, agents, config.matchThreshold());
        }
        List<String> ids = capable.stream().map(c -> c.agent().agentId()).toList();
        String owner = ownerOf(task.taskId(), ids);
        double match = capable.stream().filter(c -> c.agent().agentId().equals(owner)).findFirst().orElseThrow().match();
        return new Assignment.Assigned(task.taskId(), owner, kind(), match);
    }

    /** The owner of {@code taskId} among {@code agentIds} (order irrelevant, not empty). */
    public String ownerOf(String taskId, List<String> agentIds) {
        if (agentIds.isEmpty()) {
            throw new IllegalArgumentException("no agents");
        }
        List<String> key = agentIds.stream().distinct().sorted().toList();
        ConsistentHash<String> ring = rings.computeIfAbsent(key, k -> ConsistentHash.create(k, config.virtualNodes()));
        return ring.nodeFor(taskId);
    }
}

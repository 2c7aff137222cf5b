package org.agentmesh.strategy;

import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import org.agentmesh.swarm.Strategy;

/**
 * Chooses the agent for a task from a view of candidate agents. Implementations are deterministic given their
 * inputs (and, for {@code random}, the passed-in generator); {@code round-robin} and {@code dht} keep small state
 * (a counter, a cached ring), so one instance belongs to one router and is not thread-safe.
 *
 * <p>Every strategy considers only <em>live</em> agents whose capability match reaches the threshold; when there is
 * none the task is {@link Assignment.Rejected rejected} with {@link RejectionReason.NoCapableAgent}, never queued.
 */
public interface AssignmentStrategy {

    Strategy kind();

    Assignment assign(TaskRequirements task, List<AgentLoad> agents);

    static AssignmentStrategy of(Strategy kind, AssignmentConfig config, RandomGenerator random) {
        return switch (kind) {
            case CAPABILITY -> new CapabilityStrategy(config);
            case AUCTION -> new AuctionStrategy(config);
            case DHT -> new DhtStrategy(config);
            case ROUND_ROBIN -> new RoundRobinStrategy(config);
            case RANDOM -> new RandomStrategy(config, random);
        };
    }

    /** A capable candidate: live and with a match score at or above the threshold. */
    record Candidate(AgentLoad agent, double match) {}

    /** The live agents whose match reaches {@code threshold}, sorted by agent id (empty when there is none). */
    static List<Candidate> capable(TaskRequirements task, List<AgentLoad> agents, double threshold) {
        return agents.stream()
                .filter(AgentLoad::live)
                .map(a -> new Candidate(a, CapabilityMatch.score(task, a)))
                .filter(c -> c.match() >= threshold)
                .sorted(Comparator.comparing(c -> c.agent().agentId()))
                .toList();
    }

    /** The rejection for a task no live agent can serve, with the best match score any live agent reached. */
    static Assignment.Rejected noCapableAgent(Strategy kind, TaskRequirements task, List<AgentLoad> agents, double threshold) {
        double best = agents.stream().filter(AgentLoad::live).mapToDouble(a -> CapabilityMatch.score(task, a)).max().orElse(0.0);
        return new Assignment.Rejected(task.taskId(), kind,
                new RejectionReason.NoCapableAgent(task.requiredCapabilities(), best, threshold));
    }
}

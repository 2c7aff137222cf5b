package org.agentmesh.strategy;

import java.util.List;
import org.agentmesh.swarm.Strategy;

/**
 * Auction (the seed's {@code TaskAuction}): every live agent whose capability match reaches the threshold bids
 * ({@link Bid#from}); a bid scores {@code 0.4 match + 0.3 (1 - utilization) + 0.2 performance + 0.1 resources}
 * (weights configurable). The highest score wins; scores within {@link #TIE_EPSILON} are ties, broken by the lower
 * load factor (utilization saturates at 1, the load factor still tells a backlog of 2 from one of 20), then by the
 * lowest agent id.
 *
 * <p>{@link #bids} and {@link #award} are public so a shell can run the auction over the network (collect bids, then
 * award) and a test can check the winner of fixed bids.
 */
public final class AuctionStrategy implements AssignmentStrategy {

    /** Scores closer than this are a tie (floating-point sums of equal terms in another order may differ by an ulp). */
    public static final double TIE_EPSILON = 1e-9;

    private final AssignmentConfig config;

    public AuctionStrategy(AssignmentConfig config) {
        this.config = config;
    }

    @Override
    public Strategy kind() {
        return Strategy.AUCTION;
    }

    /** The bids of every eligible agent, by agent id. */
    public List<Bid> bids(TaskRequirements task, List<AgentLoad> agents) {
        return AssignmentStrategy.capable(task, agents, config.matchThreshold()).stream()
                .map(c -> Bid.from(task, c.agent()))
                .toList();
    }

    /** The winning bid under {@code weights}: best score, then lowest load factor, then lowest agent id. */
    public static Bid winner(List<Bid> bids, AuctionWeights weights) {
        if (bids.isEmpty()) {
            throw new IllegalArgumentException("no bids");
        }
        Bid best = null;
        for (Bid b : bids) {
            if (best == null || better(b, best, weights)) {
                best = b;
            }
        }
        return best;
    }

    private static boolean better(Bid a, Bid b, AuctionWeights w) {
        double sa = a.score(w);
        double sb = b.score(w);
        if (Math.abs(sa - sb) > TIE_EPSILON) {
            return sa > sb;
        }
        if (a.loadFactor() != b.loadFactor()) {
            return a.loadFactor() < b.loadFactor();
        }
        return a.agentId().compareTo(b.agentId()) < 0;
    }

    /** Awards {@code task} to the winner of {@code bids}, or rejects it when nobody (eligible) bid. */
    public Assignment award(TaskRequirements task, List<Bid> bids, List<AgentLoad> agents) {
        List<Bid> eligible = bids.stream().filter(b -> b.capabilityMatch() >= config.matchThreshold()).toList();
        if (eligible.isEmpty()) {
            return AssignmentStrategy.noCapableAgent(kind(), task, agents, config.matchThreshold());
        }
        Bid w = winner(eligible, config.weights());
        return new Assignment.Assigned(task.taskId(), w.agentId(), kind(), w.score(config.weights()));
    }

    @Override
    public Assignment assign(TaskRequirements task, List<AgentLoad> agents) {
        return award(task, bids(task, agents), agents);
    }

    /** Bids ranked best first, for reports. */
    public static List<Bid> ranked(List<Bid> bids, AuctionWeights weights) {
        return bids.stream().sorted((a, b) -> better(a, b, weights) ? -1 : better(b, a, weights) ? 1 : 0).toList();
    }

}

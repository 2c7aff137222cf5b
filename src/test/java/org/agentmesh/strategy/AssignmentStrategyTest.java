package org.agentmesh.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.agentmesh.strategy.Assignment.Assigned;
import org.agentmesh.strategy.Assignment.Rejected;
import org.agentmesh.swarm.Strategy;
import org.junit.jupiter.api.Test;

class AssignmentStrategyTest {

    private static final AssignmentConfig CONFIG = AssignmentConfig.DEFAULT;

    private static AgentLoad agent(String id, int capacity, int running, int queued, String... caps) {
        return new AgentLoad(id, List.of(caps), capacity, running, queued, 1.0, 1.0, true);
    }

    private static Assigned assigned(Assignment a) {
        return assertInstanceOf(Assigned.class, a, () -> "expected an assignment, got " + a);
    }

    // ---- capability match

    @Test
    void matchScoreIsTheFractionOfRequiredCapabilitiesOffered() {
        assertEquals(1.0, CapabilityMatch.score(List.of(), List.of("x")));
        assertEquals(1.0, CapabilityMatch.score(List.of("a", "b"), List.of("a", "b", "c")));
        assertEquals(2.0 / 3, CapabilityMatch.score(List.of("a", "b", "c"), List.of("a", "b")), 1e-12);
        assertEquals(0.0, CapabilityMatch.score(List.of("a"), List.of("b")));
        assertEquals(List.of("a", "b"), TaskRequirements.of("t", 1, "b", "a", "b").requiredCapabilities());
    }

    @Test
    void capabilityRoutingPrefersBestMatchThenLeastLoadedThenLowestId() {
        var strategy = new CapabilityStrategy(CONFIG.withMatchThreshold(0.5));
        var task = TaskRequirements.of("t1", 10, "a", "b");
        // b-agent matches 1.0 but is busier than c-agent (0.5 match): best match wins anyway
        var a1 = agent("agent-a", 4, 3, 0, "a");
        var b1 = agent("agent-b", 4, 2, 0, "a", "b");
        var c1 = agent("agent-c", 4, 0, 0, "a", "b", "z");
        assertEquals("agent-c", assigned(strategy.assign(task, List.of(a1, b1, c1))).agentId(), "full match, least loaded");
        var c2 = agent("agent-c", 4, 2, 0, "a", "b");
        assertEquals("agent-b", assigned(strategy.assign(task, List.of(a1, c2, b1))).agentId(), "tie broken by lowest id");
        var onlyPartial = List.of(agent("agent-a", 4, 3, 0, "a"), agent("agent-d", 4, 0, 0, "b"));
        Assigned partial = assigned(strategy.assign(task, onlyPartial));
        assertEquals("agent-d", partial.agentId(), "equal 0.5 matches: the less loaded");
        assertEquals(0.5, partial.score());
    }

    @Test
    void capabilityRoutingSkipsFullAndDeadAgentsAndRejectsWhenConfiguredNotToQueue() {
        var task = TaskRequirements.of("t1", 10, "a");
        var full = agent("agent-a", 2, 2, 0, "a");
        var dead = agent("agent-b", 2, 0, 0, "a").withLive(false);
        var free = agent("agent-c", 2, 1, 0, "a");
        assertEquals("agent-c", assigned(new CapabilityStrategy(CONFIG).assign(task, List.of(full, dead, free))).agentId());
        // all capable agents full: queue on the least loaded, or reject
        var fuller = agent("agent-d", 1, 1, 3, "a");
        assertEquals("agent-a", assigned(new CapabilityStrategy(CONFIG).assign(task, List.of(fuller, full, dead))).agentId());
        Rejected r = assertInstanceOf(Rejected.class,
                new CapabilityStrategy(CONFIG.withQueueWhenFull(false)).assign(task, List.of(fuller, full, dead)));
        assertEquals(new RejectionReason.NoFreeCapacity(List.of("a"), 2), r.reason());
    }

    @Test
    void thresholdIsConfigurable() {
        var task = TaskRequirements.of("t1", 10, "a", "b", "c");
        var twoOfThree = List.of(agent("agent-a", 1, 0, 0, "a", "b"));
        assertInstanceOf(Rejected.class, new CapabilityStrategy(CONFIG).assign(task, twoOfThree), "2/3 < 0.7");
        assertEquals("agent-a", assigned(new CapabilityStrategy(CONFIG.withMatchThreshold(0.6)).assign(task, twoOfThree)).agentId());
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withMatchThreshold(0.0));
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withMatchThreshold(1.5));
    }

    // ---- auction

    private static Bid bid(String agent, double match, double util, double perf, double res, double loadFactor) {
        return new Bid("t1", agent, match, util, perf, res, loadFactor);
    }

    @Test
    void auctionScoresBidsWithTheSeedWeightsAndAwardsTheBest() {
        // agent-a: 0.4*1.0 + 0.3*0.5 + 0.2*0.5 + 0.1*0.5 = 0.70
        // agent-b: 0.4*0.75 + 0.3*1.0 + 0.2*1.0 + 0.1*1.0 = 0.90  <- winner despite the weaker match
        // agent-c: 0.4*1.0 + 0.3*0.0 + 0.2*1.0 + 0.1*1.0 = 0.70
        List<Bid> bids = List.of(bid("agent-a", 1.0, 0.5, 0.5, 0.5, 0.5), bid("agent-b", 0.75, 0.0, 1.0, 1.0, 0.0),
                bid("agent-c", 1.0, 1.0, 1.0, 1.0, 1.0));
        AuctionWeights w = AuctionWeights.DEFAULT;
        assertEquals(0.70, bids.get(0).score(w), 1e-12);
        assertEquals(0.90, bids.get(1).score(w), 1e-12);
        assertEquals(0.70, bids.get(2).score(w), 1e-12);
        assertEquals("agent-b", AuctionStrategy.winner(bids, w).agentId());
        var auction = new AuctionStrategy(CONFIG);
        Assigned a = assigned(auction.award(TaskRequirements.of("t1", 5, "x"), bids, List.of()));
        assertEquals("agent-b", a.agentId());
        assertEquals(0.90, a.score(), 1e-12);
        assertEquals(List.of("agent-b", "agent-a", "agent-c"),
                AuctionStrategy.ranked(bids, w).stream().map(Bid::agentId).toList(), "ties: lower load factor first");
        // other weights, other winner: capability only
        assertEquals("agent-a", AuctionStrategy.winner(bids, new AuctionWeights(1, 0, 0, 0)).agentId());
    }

    @Test
    void auctionTiesGoToTheLowerLoadFactorThenTheLowestAgentId() {
        // both score 0.6 (computed in different orders): 0.4 + 0.2 vs 0.4 + 0.3 * (2/3)
        Bid x = bid("agent-x", 1.0, 1.0, 1.0, 0.0, 2.0);
        Bid y = bid("agent-y", 1.0, 1.0 / 3, 0.0, 0.0, 2.0);
        assertEquals(x.score(AuctionWeights.DEFAULT), y.score(AuctionWeights.DEFAULT), 1e-9);
        assertEquals("agent-x", AuctionStrategy.winner(List.of(y, x), AuctionWeights.DEFAULT).agentId(), "lowest id");
        Bid yLighter = bid("agent-y", 1.0, 1.0 / 3, 0.0, 0.0, 0.5);
        assertEquals("agent-y", AuctionStrategy.winner(List.of(x, yLighter), AuctionWeights.DEFAULT).agentId(), "lower load");
    }

    @Test
    void auctionCollectsBidsOnlyFromLiveCapableAgents() {
        var auction = new AuctionStrategy(CONFIG);
        var task = TaskRequirements.of("t9", 5, "a", "b");
        var agents = List.of(
                new AgentLoad("agent-1", List.of("a", "b"), 4, 3, 0, 0.9, 0.5, true), // 0.4 + 0.075 + 0.18 + 0.05 = 0.705
                new AgentLoad("agent-2", List.of("a"), 4, 0, 0, 1.0, 1.0, true), // match 0.5: no bid
                new AgentLoad("agent-3", List.of("a", "b"), 2, 0, 0, 0.5, 0.2, true), // 0.4 + 0.3 + 0.1 + 0.02 = 0.82
                new AgentLoad("agent-4", List.of("a", "b"), 8, 0, 0, 1.0, 1.0, false)); // dead: no bid
        List<Bid> bids = auction.bids(task, agents);
        assertEquals(List.of("agent-1", "agent-3"), bids.stream().map(Bid::agentId).toList());
        assertEquals(0.705, bids.get(0).score(AuctionWeights.DEFAULT), 1e-12);
        assertEquals(0.82, bids.get(1).score(AuctionWeights.DEFAULT), 1e-12);
        assertEquals("agent-3", assigned(auction.assign(task, agents)).agentId());
    }

    @Test
    void auctionWeightsMustBeNonNegativeAndSumToOne() {
        assertThrows(IllegalArgumentException.class, () -> new AuctionWeights(0.5, 0.3, 0.2, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new AuctionWeights(1.2, -0.2, 0, 0));
        new AuctionWeights(0.25, 0.25, 0.25, 0.25);
    }

    // ---- rejection

    @Test
    void aTaskNoLiveAgentCanServeIsRejectedByEveryStrategyWithTheBestScoreSeen() {
        var agents = List.of(agent("agent-1", 2, 0, 0, "a", "b"), agent("agent-2", 2, 0, 0, "a"),
                agent("agent-3", 2, 0, 0, "a", "b", "c").withLive(false));
        var task = TaskRequirements.of("t-hard", 5, "a", "b", "c");
        for (Strategy s : Strategy.values()) {
            Assignment a = AssignmentStrategy.of(s, CONFIG, new SplittableRandom(1)).assign(task, agents);
            Rejected r = assertInstanceOf(Rejected.class, a, s + " must reject, got " + a);
            var reason = assertInstanceOf(RejectionReason.NoCapableAgent.class, r.reason());
            assertEquals(List.of("a", "b", "c"), reason.required());
            assertEquals(2.0 / 3, reason.bestScore(), 1e-12, "agent-1 offers 2 of 3; the dead full match does not count");
            assertEquals(s, r.strategy());
            assertTrue(reason.describe().contains("[a, b, c]") && reason.describe().contains("0.7"), reason.describe());
            Rejected none = assertInstanceOf(Rejected.class,
                    AssignmentStrategy.of(s, CONFIG, new SplittableRandom(1)).assign(task, List.of()));
            assertEquals(0.0, ((RejectionReason.NoCapableAgent) none.reason()).bestScore());
        }
    }

    // ---- baselines

    @Test
    void roundRobinCyclesOverCapableAgentsInIdOrder() {
        var rr = AssignmentStrategy.of(Strategy.ROUND_ROBIN, CONFIG, new SplittableRandom(1));
        var agents = List.of(agent("agent-c", 1, 5, 5, "a"), agent("agent-a", 1, 0, 0, "a"), agent("agent-b", 1, 0, 0, "b"));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(assigned(rr.assign(TaskRequirements.of("t" + i, 1, "a"), agents)).agentId());
        }
        assertEquals(List.of("agent-a", "agent-c", "agent-a", "agent-c"), got);
    }

    @Test
    void randomUsesOnlyThePassedInGenerator() {
        var agents = new ArrayList<AgentLoad>();
        for (int i = 0; i < 5; i++) {
            agents.add(agent("agent-" + i, 1, 0, 0, "a"));
        }
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        var r1 = AssignmentStrategy.of(Strategy.RANDOM, CONFIG, new SplittableRandom(42));
        var r2 = AssignmentStrategy.of(Strategy.RANDOM, CONFIG, new SplittableRandom(42));
        for (int i = 0; i < 200; i++) {
            var t = TaskRequirements.of("t" + i, 1, "a");
            first.add(assigned(r1.assign(t, agents)).agentId());
            second.add(assigned(r2.assign(t, agents)).agentId());
        }
        assertEquals(first, second);
        assertEquals(5, new HashSet<>(first).size(), "every agent chosen at some point");
    }

    // ---- property: every strategy, random views

    @Test
    void everyStrategyAssignsOnlyToLiveCapableAgentsAndRejectsOnlyWhenThereIsNone() {
        List<String> pool = List.of("a", "b", "c", "d");
        for (long seed = 1; seed <= 300; seed++) {
            var random = new SplittableRandom(seed);
            try {
                List<AgentLoad> agents = new ArrayList<>();
                int n = random.nextInt(0, 8);
                for (int i = 0; i < n; i++) {
                    agents.add(new AgentLoad("agent-" + i, subset(pool, random), random.nextInt(1, 5), random.nextInt(0, 5),
                            random.nextInt(0, 5), random.nextDouble(), random.nextDouble(), random.nextInt(5) > 0));
                }
                for (Strategy s : Strategy.values()) {
                    var strategy = AssignmentStrategy.of(s, CONFIG, random);
                    for (int t = 0; t < 20; t++) {
                        var task = new TaskRequirements("t" + t, subset(pool, random), 0, 10);
                        boolean anyCapable = agents.stream().anyMatch(
                                a -> a.live() && CapabilityMatch.score(task, a) >= CONFIG.matchThreshold());
                        Assignment a = strategy.assign(task, agents);
                        if (a instanceof Assigned as) {
                            AgentLoad chosen = agents.stream().filter(x -> x.agentId().equals(as.agentId())).findFirst().orElseThrow();
                            assertTrue(chosen.live(), s + " chose dead " + chosen);
                            assertTrue(CapabilityMatch.score(task, chosen) >= CONFIG.matchThreshold(), s + " chose incapable " + chosen);
                        } else {
                            assertTrue(!anyCapable, s + " rejected " + task + " although a live capable agent exists");
                        }
                    }
                }
            } catch (AssertionError | RuntimeException e) {
                fail("failing seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static List<String> subset(List<String> pool, SplittableRandom random) {
        Set<String> s = new HashSet<>();
        for (String c : pool) {
            if (random.nextInt(3) == 0) {
                s.add(c);
            }
        }
        return List.copyOf(s);
    }
}

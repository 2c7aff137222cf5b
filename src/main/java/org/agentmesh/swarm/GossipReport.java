package org.agentmesh.swarm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.agentmesh.gossip.GossipMember;

/**
 * Gossip health of a swarm, measured by its members: the summary over the agents, then each agent's own numbers.
 * Estimates are push-sum results of the last completed epoch; {@code estimateReady} is false until an epoch after the
 * first completed (the estimate fields are 0 then).
 *
 * @param connectivity          mean over started agents of the share of their overlay links heard from recently (0..1)
 * @param messagesPerSecond     gossip messages sent + received per second, summed over the agents
 * @param millisSinceViewChange the least time since any agent's set of live peers changed
 * @param meanLoad              median over agents of their push-sum estimate of the mean load
 * @param liveAgents            median over agents of their push-sum estimate of the live agent count
 * @param convergenceMillis     the slowest propagation (owner's change to arrival) among the last 64 updates each agent
 *                              took in, over all agents: how long recent updates took to reach everyone; null before any
 *                              (across nodes it assumes their clocks are in step)
 */
public record GossipReport(String swarmId, int agents, int started, double connectivity, double messagesPerSecond,
        long millisSinceViewChange, boolean estimateReady, double meanLoad, double liveAgents, Long convergenceMillis,
        List<AgentGossip> perAgent) {

    /** One agent's own gossip numbers; update delays over its last 64 updates taken in, null before any. */
    public record AgentGossip(String agentId, boolean started, long rounds, int knownPeers, int livePeers, double connectivity,
            double messagesPerSecond, long millisSinceViewChange, boolean estimateReady, double meanLoad, double liveAgents,
            Long updateDelayMillisP50, Long updateDelayMillisMax) {}

    static GossipReport of(String swarmId, List<GossipMember.View> views) {
        List<AgentGossip> per = new ArrayList<>();
        List<Double> loads = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        double connectivity = 0;
        double rate = 0;
        long sinceChange = Long.MAX_VALUE;
        long convergence = -1;
        int started = 0;
        for (GossipMember.View v : views) {
            var e = v.estimate();
            // epoch 0 began when the member knew nobody (it counted itself as the one designated counter): not an estimate
            boolean ready = v.started() && e.epoch() >= 1 && Double.isFinite(e.meanLoad()) && Double.isFinite(e.liveAgents());
            per.add(new AgentGossip(v.agentId(), v.started(), v.stats().rounds(), v.stats().knownPeers(), v.stats().livePeers(),
                    v.stats().connectivity(), v.stats().messagesPerSecond(), v.stats().millisSinceViewChange(), ready,
                    ready ? e.meanLoad() : 0, ready ? e.liveAgents() : 0, known(v.stats().updateDelayMillisP50()),
                    known(v.stats().updateDelayMillisMax())));
            if (v.started()) {
                started++;
                connectivity += v.stats().connectivity();
                rate += v.stats().messagesPerSecond();
                sinceChange = Math.min(sinceChange, v.stats().millisSinceViewChange());
                convergence = Math.max(convergence, v.stats().updateDelayMillisMax());
            }
            if (ready) {
                loads.add(e.meanLoad());
                counts.add(e.liveAgents());
            }
        }
        return new GossipReport(swarmId, views.size(), started, started == 0 ? 0 : connectivity / started, rate,
                started == 0 ? 0 : sinceChange, !loads.isEmpty(), median(loads), median(counts), known(convergence), per);
    }

    private static Long known(long millis) {
        return millis < 0 ? null : millis;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}

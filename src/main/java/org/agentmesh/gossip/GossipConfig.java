package org.agentmesh.gossip;

/**
 * Tunables of one gossip core. Defaults follow the design: a round every 2 s, fanout 3, 3-5 overlay links.
 *
 * @param intervalMillis        mean time between rounds
 * @param jitter                each interval is drawn uniformly from {@code interval * (1 +- jitter)}, so rounds of
 *                              different peers do not stay in lockstep
 * @param fanout                partners per round, 1..10
 * @param randomPartners        how many of the fanout partners are drawn uniformly from all live peers (expansion);
 *                              the rest come from the overlay links, weighted by reputation
 * @param minLinks              least overlay degree (when enough peers exist)
 * @param maxLinks              most overlay degree
 * @param rumorRetransmitExtra  a rumor is sent {@code fanout * (ceil(log2(N + 1)) + extra)} times by each peer that
 *                              knows it (about log2(N) + extra rounds)
 * @param suspectAfterMillis    a peer whose heartbeat did not increase for this long becomes SUSPECTED; must exceed
 *                              the time a heartbeat needs to cross the swarm (about log2(N) rounds)
 * @param deadAfterMillis       ... and DEAD after this long
 * @param tombstoneMillis       a DEAD or LEFT entry stays (so stale gossip cannot resurrect it) this long, then goes
 * @param pushSumEpochRounds    push-sum restarts every this many rounds, so estimates follow changing values
 * @param pushChanges           a change of capabilities or status (not of load alone) is pushed at once to
 *                              {@code fanout} partners as a rumor, and forwarded by those that learn something new
 *                              from it for about log_fanout(N) hops, instead of waiting for anti-entropy rounds
 */
public record GossipConfig(long intervalMillis, double jitter, int fanout, int randomPartners, int minLinks, int maxLinks,
                           int rumorRetransmitExtra, long suspectAfterMillis, long deadAfterMillis, long tombstoneMillis,
                           int pushSumEpochRounds, boolean pushChanges) {

    public GossipConfig {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("intervalMillis must be > 0, was " + intervalMillis);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
        }
        if (fanout < 1 || fanout > 10) {
            throw new IllegalArgumentException("fanout must be in 1..10, was " + fanout);
        }
        if (randomPartners < 0 || randomPartners > fanout) {
            throw new IllegalArgumentException("randomPartners must be in 0..fanout, was " + randomPartners);
        }
        if (minLinks < 2 || maxLinks < minLinks || maxLinks > 20) {
            throw new IllegalArgumentException("need 2 <= minLinks <= maxLinks <= 20, was " + minLinks + ".." + maxLinks);
        }
        if (minLinks == maxLinks && minLinks % 2 == 1) {
            // an odd-degree regular graph does not exist on an odd number of peers
            throw new IllegalArgumentException("minLinks == maxLinks must be even, was " + minLinks);
        }
        if (rumorRetransmitExtra < 0) {
            throw new IllegalArgumentException("rumorRetransmitExtra must be >= 0, was " + rumorRetransmitExtra);
        }
        if (suspectAfterMillis <= 0 || deadAfterMillis < suspectAfterMillis || tombstoneMillis <= 0) {
            throw new IllegalArgumentException("need 0 < suspectAfterMillis <= deadAfterMillis and tombstoneMillis > 0");
        }
        if (pushSumEpochRounds < 2) {
            throw new IllegalArgumentException("pushSumEpochRounds must be >= 2, was " + pushSumEpochRounds);
        }
    }

    public static GossipConfig defaults() {
        return new GossipConfig(2_000, 0.25, 3, 1, 3, 5, 2, 30_000, 60_000, 300_000, 30, true);
    }

    public GossipConfig withFanout(int fanout) {
        return new GossipConfig(intervalMillis, jitter, fanout, Math.min(randomPartners, fanout), minLinks, maxLinks,
                rumorRetransmitExtra, suspectAfterMillis, deadAfterMillis, tombstoneMillis, pushSumEpochRounds, pushChanges);
    }

    public GossipConfig withLinks(int minLinks, int maxLinks) {
        return new GossipConfig(intervalMillis, jitter, fanout, randomPartners, minLinks, maxLinks,
                rumorRetransmitExtra, suspectAfterMillis, deadAfterMillis, tombstoneMillis, pushSumEpochRounds, pushChanges);
    }

    public GossipConfig withTimeouts(long suspectAfterMillis, long deadAfterMillis, long tombstoneMillis) {
        return new GossipConfig(intervalMillis, jitter, fanout, randomPartners, minLinks, maxLinks,
                rumorRetransmitExtra, suspectAfterMillis, deadAfterMillis, tombstoneMillis, pushSumEpochRounds, pushChanges);
    }

    /** Anti-entropy only (no immediate push of changes): what the convergence tests and benchmark measure. */
    public GossipConfig withPushChanges(boolean push) {
        return new GossipConfig(intervalMillis, jitter, fanout, randomPartners, minLinks, maxLinks,
                rumorRetransmitExtra, suspectAfterMillis, deadAfterMillis, tombstoneMillis, pushSumEpochRounds, push);
    }

    public GossipConfig withPushSumEpochRounds(int rounds) {
        return new GossipConfig(intervalMillis, jitter, fanout, randomPartners, minLinks, maxLinks,
                rumorRetransmitExtra, suspectAfterMillis, deadAfterMillis, tombstoneMillis, rounds, pushChanges);
    }
}

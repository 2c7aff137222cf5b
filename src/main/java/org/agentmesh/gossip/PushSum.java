package org.agentmesh.gossip;

/**
 * Push-sum aggregation (Kempe, Dobra, Gehrke 2003) of mean load, mean latency and the number of live peers.
 *
 * <p>Averages: every peer starts an epoch with (value, weight 1); each round it keeps 1/(k+1) of its mass and sends
 * 1/(k+1) to each of its k partners; sum/weight converges to the mean at every peer because mass is conserved.
 * Count: every peer starts with countSum 1, and only one designated peer (the smallest live id in its view) with
 * countWeight 1, so countSum/countWeight converges to N.
 *
 * <p>Epochs make it restartable: after {@code epochRounds} rounds a peer completes its epoch (its estimate becomes the
 * readable "completed" one) and starts the next with its current values; a share of a newer epoch pulls a peer into
 * that epoch, so the restart spreads like a rumor. Shares of an older epoch are dropped. Lost messages lose mass, so
 * under loss the estimates are approximate.
 */
final class PushSum {

    private final int epochRounds;
    private long epoch = -1;
    private int roundsInEpoch;
    private double loadSum;
    private double latencySum;
    private double weight;
    private double countSum;
    private double countWeight;
    private AggregateEstimate completed = AggregateEstimate.none();

    PushSum(int epochRounds) {
        this.epochRounds = epochRounds;
    }

    void begin(long newEpoch, double load, double latency, boolean designated) {
        epoch = newEpoch;
        roundsInEpoch = 0;
        loadSum = load;
        latencySum = latency;
        weight = 1.0;
        countSum = 1.0;
        countWeight = designated ? 1.0 : 0.0;
    }

    /** One gossip round passed; may complete the epoch and begin the next. */
    void tick(double load, double latency, boolean designated) {
        roundsInEpoch++;
        if (roundsInEpoch >= epochRounds) {
            completed = estimate(true);
            begin(epoch + 1, load, latency, designated);
        }
    }

    /** Splits off the share for each of {@code partners} partners; this peer keeps one more equal part. */
    PushSumShare split(int partners) {
        double f = 1.0 / (partners + 1);
        loadSum *= f;
        latencySum *= f;
        weight *= f;
        countSum *= f;
        countWeight *= f;
        return new PushSumShare(epoch, loadSum, latencySum, weight, countSum, countWeight);
    }

    void absorb(PushSumShare share, double load, double latency, boolean designated) {
        if (share.epoch() < epoch) {
            return;
        }
        if (share.epoch() > epoch) {
            if (epoch >= 0) {
                completed = estimate(true);
            }
            begin(share.epoch(), load, latency, designated);
        }
        loadSum += share.loadSum();
        latencySum += share.latencySum();
        weight += share.weight();
        countSum += share.countSum();
        countWeight += share.countWeight();
    }

    AggregateEstimate current() {
        return estimate(false);
    }

    AggregateEstimate completed() {
        return completed;
    }

    long epoch() {
        return epoch;
    }

    private AggregateEstimate estimate(boolean complete) {
        double count = countWeight > 1e-12 ? countSum / countWeight : Double.NaN;
        return new AggregateEstimate(epoch, loadSum / weight, latencySum / weight, count, complete);
    }
}

package org.agentmesh.strategy;

import java.util.List;
import java.util.Objects;
import org.agentmesh.serialization.CborSerializable;

/**
 * One agent as the schedulers see it (a possibly stale view, e.g. from gossip).
 *
 * @param capacity how many tasks it runs at once (slots), at least 1
 * @param running tasks running now
 * @param queued tasks assigned to it that have not started (its work-stealing deque)
 * @param performance past performance in [0, 1] (success rate, relative speed)
 * @param resourceAvailability free resources in [0, 1] (memory, disk, ...)
 * @param live whether the failure detector considers it alive; dead agents are never chosen
 */
public record AgentLoad(String agentId, List<String> capabilities, int capacity, int running, int queued,
        double performance, double resourceAvailability, boolean live) implements CborSerializable {

    public AgentLoad {
        Objects.requireNonNull(agentId, "agentId");
        capabilities = CapabilityMatch.normalize(capabilities);
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        if (running < 0 || queued < 0) {
            throw new IllegalArgumentException("running and queued must be >= 0, were " + running + ", " + queued);
        }
        requireUnit("performance", performance);
        requireUnit("resourceAvailability", resourceAvailability);
    }

    static void requireUnit(String name, double v) {
        if (!(v >= 0.0 && v <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], was " + v);
        }
    }

    /** (running + queued) / capacity: 0 idle, 1 every slot busy, above 1 a backlog. */
    public double loadFactor() {
        return (double) (running + queued) / capacity;
    }

    /** {@link #loadFactor()} clamped to [0, 1]: the utilization the auction and the hot/cold thresholds use. */
    public double utilization() {
        return Math.min(1.0, loadFactor());
    }

    /** Whether it can take a task without queueing it. */
    public boolean hasFreeSlot() {
        return running + queued < capacity;
    }

    public AgentLoad withCounts(int running, int queued) {
        return new AgentLoad(agentId, capabilities, capacity, running, queued, performance, resourceAvailability, live);
    }

    public AgentLoad withLive(boolean live) {
        return new AgentLoad(agentId, capabilities, capacity, running, queued, performance, resourceAvailability, live);
    }

    /** An idle, live agent with perfect performance and resources. */
    public static AgentLoad idle(String agentId, int capacity, String... capabilities) {
        return new AgentLoad(agentId, List.of(capabilities), capacity, 0, 0, 1.0, 1.0, true);
    }
}

package org.agentmesh.strategy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.agentmesh.strategy.StealMessage.Handoff;
import org.agentmesh.strategy.StealMessage.StealDenied;
import org.agentmesh.strategy.StealMessage.StealGranted;
import org.agentmesh.strategy.StealMessage.StealRequest;
import org.agentmesh.strategy.WorkStealingOutput.ReleaseRefused;
import org.agentmesh.strategy.WorkStealingOutput.Send;
import org.agentmesh.strategy.WorkStealingOutput.Start;

/**
 * One agent's work-stealing state machine (the seed's {@code WorkStealingProtocol}), pure and deterministic.
 *
 * <p><b>State.</b> A deque of assigned tasks that have not started, and the set of running tasks (at most
 * {@code capacity}). The owner starts tasks from the <em>head</em> whenever a slot is free, so the deque is non-empty
 * only while every slot is busy; thieves take from the <em>tail</em> (the most recently queued work, the farthest from
 * starting here). The deque is FIFO: {@link TaskRequirements#priority()} is not used for ordering yet.
 *
 * <p><b>Stealing is a transaction at the victim.</b> An idle agent ({@link #wantsWork()}: a free slot and an empty
 * deque), on a {@link WorkStealingInput.Tick} with a view of the peers, picks one of the {@code victimCandidates}
 * busiest live peers (by queued tasks per slot) at random and sends a {@link StealRequest}. The victim answers from its own state,
 * in one step: it removes from its deque (scanning from the tail) the first task the thief's capabilities match, and
 * answers {@link StealGranted} with the task under a new attempt number, or {@link StealDenied}. Only a task still in
 * the deque can be granted, and granting removes it, so a task is in exactly one deque or running on exactly one agent:
 * it never runs twice concurrently. After a grant the thief asks the same victim again while it still wants work; after
 * a denial it tries the next candidate; with no candidate left it waits for the next tick. At most one request is in
 * flight per agent.
 *
 * <p><b>Driving it.</b> The shell feeds {@link WorkStealingInput}s to {@link #step} and carries out the returned
 * {@link WorkStealingOutput}s: deliver {@link Send} messages (arming a timeout for a {@link StealRequest}, answered by
 * {@link WorkStealingInput.StealTimedOut}), run {@link Start}ed tasks and report {@link WorkStealingInput.Finished}.
 * It ticks the core periodically and right after a task finishes, with the freshest peer view it has (gossip).
 * Load-balancer migrations enter as {@link WorkStealingInput.Release}: honoured only if the task has not started.
 *
 * <p>Not handled here: a {@link StealGranted} lost in the network leaves the task in neither deque; the durable task
 * record (sharded entity) must re-assign a task whose latest attempt never started. A grant arriving after its request
 * timed out is still accepted (the victim already gave the task away).
 */
public final class WorkStealingCore {

    private final String agentId;
    private final List<String> capabilities;
    private final int capacity;
    private final WorkStealingConfig config;
    private final RandomGenerator random;

    private final java.util.LinkedList<QueuedTask> deque = new java.util.LinkedList<>();
    private final Map<String, QueuedTask> running = new LinkedHashMap<>();

    private long nextRequestId = 1;
    /** The request in flight, or 0. */
    private long inFlight;
    private String inFlightVictim;
    /** Candidates still to try in this round of stealing (after a denial). */
    private final Deque<String> candidates = new ArrayDeque<>();
    /** Peers that denied us, with the queue length they had then: skipped until their queue grows past it. */
    private final Map<String, Integer> deniedAt = new HashMap<>();

    private long stealsGranted;
    private long stealsDenied;
    private long tasksGivenAway;

    public WorkStealingCore(String agentId, List<String> capabilities, int capacity, WorkStealingConfig config,
            RandomGenerator random) {
        this.agentId = Objects.requireNonNull(agentId, "agentId");
        this.capabilities = CapabilityMatch.normalize(capabilities);
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
    }

    public List<WorkStealingOutput> step(WorkStealingInput input) {
        List<WorkStealingOutput> out = new ArrayList<>();
        if (input instanceof WorkStealingInput.Assign a) {
            enqueue(a.task());
            startWhatFits(out);
        } else if (input instanceof WorkStealingInput.Finished f) {
            running.remove(f.taskId());
            startWhatFits(out);
        } else if (input instanceof WorkStealingInput.Tick t) {
            if (config.enabled() && wantsWork() && inFlight == 0) {
                chooseCandidates(t.peers());
                requestFromNextCandidate(out);
            }
        } else if (input instanceof WorkStealingInput.Received r) {
            receive(r.message(), out);
        } else if (input instanceof WorkStealingInput.Release rel) {
            release(rel, out);
        } else if (input instanceof WorkStealingInput.Withdraw w) {
            deque.removeIf(q -> q.taskId().equals(w.taskId()));
            running.remove(w.taskId());
            startWhatFits(out);
        } else if (input instanceof WorkStealingInput.StealTimedOut to) {
            if (to.requestId() == inFlight) {
                inFlight = 0;
                inFlightVictim = null;
            }
        }
        return out;
    }

    private void receive(StealMessage message, List<WorkStealingOutput> out) {
        if (message instanceof StealRequest req) {
            QueuedTask stolen = takeFromTailFor(req.thiefCapabilities());
            if (stolen == null) {
                out.add(new Send(req.thief(), new StealDenied(agentId, req.requestId(), deque.size(),
                        deque.isEmpty() ? "no queued task" : "no queued task matches the thief's capabilities")));
            } else {
                tasksGivenAway++;
                out.add(new Send(req.thief(), new StealGranted(agentId, req.requestId(), stolen.nextAttempt())));
            }
        } else if (message instanceof StealGranted g) {
            stealsGranted++;
            deniedAt.remove(g.victim());
            enqueue(g.task());
            startWhatFits(out);
            if (g.requestId() == inFlight) {
                String victim = inFlightVictim;
                inFlight = 0;
                inFlightVictim = null;
                if (wantsWork()) {
                    candidates.addFirst(victim); // it had work a moment ago: ask it again first
                    requestFromNextCandidate(out);
                } else {
                    candidates.clear();
                }
            }
        } else if (message instanceof StealDenied d) {
            stealsDenied++;
            deniedAt.put(d.victim(), d.queued());
            if (d.requestId() == inFlight) {
                inFlight = 0;
                inFlightVictim = null;
                if (wantsWork()) {
                    requestFromNextCandidate(out);
                }
            }
        } else if (message instanceof Handoff h) {
            enqueue(h.task());
            startWhatFits(out);
        }
    }

    private void release(WorkStealingInput.Release rel, List<WorkStealingOutput> out) {
        for (Iterator<QueuedTask> it = deque.iterator(); it.hasNext(); ) {
            QueuedTask q = it.next();
            if (q.taskId().equals(rel.taskId())) {
                it.remove();
                tasksGivenAway++;
                out.add(new Send(rel.to(), new Handoff(agentId, q.nextAttempt())));
                return;
            }
        }
        out.add(new ReleaseRefused(rel.taskId(), rel.to(),
                running.containsKey(rel.taskId()) ? "already started" : "not queued here"));
    }

    private void enqueue(QueuedTask task) {
        String id = task.taskId();
        if (running.containsKey(id) || deque.stream().anyMatch(q -> q.taskId().equals(id))) {
            return; // duplicate delivery of the same task: it is already here
        }
        // higher priority nearer the head (owner runs it sooner), lower nearer the tail (thieves take it first);
        // FIFO among equal priorities
        int priority = task.task().priority();
        var it = deque.listIterator(deque.size());
        while (it.hasPrevious()) {
            if (it.previous().task().priority() >= priority) {
                it.next();
                break;
            }
        }
        it.add(task);
    }

    private void startWhatFits(List<WorkStealingOutput> out) {
        while (running.size() < capacity && !deque.isEmpty()) {
            QueuedTask next = deque.pollFirst();
            running.put(next.taskId(), next);
            out.add(new Start(next));
        }
    }

    /**
     * Scanning from the tail, the task the thief can serve that is hardest to place elsewhere (the most required
     * capabilities), the nearest to the tail among equals; removed from the deque. Plain tail stealing would hand a
     * capable thief easy tasks any agent could take and leave the constrained ones to queue behind this agent.
     */
    private QueuedTask takeFromTailFor(List<String> thiefCapabilities) {
        QueuedTask best = null;
        for (Iterator<QueuedTask> it = deque.descendingIterator(); it.hasNext(); ) {
            QueuedTask q = it.next();
            if (CapabilityMatch.score(q.task().requiredCapabilities(), thiefCapabilities) >= config.matchThreshold()
                    && (best == null || q.task().requiredCapabilities().size() > best.task().requiredCapabilities().size())) {
                best = q;
            }
        }
        if (best != null) {
            deque.removeLastOccurrence(best);
        }
        return best;
    }

    /**
     * The top-k busiest live peers by backlog per slot (queued / capacity), skipping peers that denied us and whose
     * queue has not grown since (they hold only tasks we cannot serve); a random one of them first, the rest in order.
     */
    private void chooseCandidates(List<AgentLoad> peers) {
        candidates.clear();
        List<AgentLoad> busiest = peers.stream()
                .filter(p -> p.live() && p.queued() > 0 && !p.agentId().equals(agentId))
                .filter(p -> p.queued() > deniedAt.getOrDefault(p.agentId(), -1))
                .sorted(Comparator.comparingDouble((AgentLoad p) -> -(double) p.queued() / p.capacity())
                        .thenComparing(AgentLoad::agentId))
                .limit(config.victimCandidates())
                .toList();
        if (busiest.isEmpty()) {
            return;
        }
        int first = random.nextInt(busiest.size());
        candidates.add(busiest.get(first).agentId());
        for (int i = 0; i < busiest.size(); i++) {
            if (i != first) {
                candidates.add(busiest.get(i).agentId());
            }
        }
    }

    private void requestFromNextCandidate(List<WorkStealingOutput> out) {
        String victim = candidates.pollFirst();
        if (victim == null) {
            return;
        }
        inFlight = nextRequestId++;
        inFlightVictim = victim;
        out.add(new Send(victim, new StealRequest(agentId, inFlight, capabilities)));
    }

    // ---- queries

    public String agentId() {
        return agentId;
    }

    public List<String> capabilities() {
        return capabilities;
    }

    public int capacity() {
        return capacity;
    }

    /** A free slot and nothing queued: this agent would run a stolen task at once. */
    public boolean wantsWork() {
        return running.size() < capacity && deque.isEmpty();
    }

    public int runningCount() {
        return running.size();
    }

    public int queuedCount() {
        return deque.size();
    }

    /** The deque, head (next to start here) first. */
    public List<QueuedTask> queue() {
        return List.copyOf(deque);
    }

    public List<QueuedTask> runningTasks() {
        return List.copyOf(running.values());
    }

    /** The request id in flight, or 0. */
    public long stealInFlight() {
        return inFlight;
    }

    public long stealsGranted() {
        return stealsGranted;
    }

    public long stealsDenied() {
        return stealsDenied;
    }

    public long tasksGivenAway() {
        return tasksGivenAway;
    }

    /** This agent as a load view entry. */
    public AgentLoad load(double performance, double resourceAvailability, boolean live) {
        return new AgentLoad(agentId, capabilities, capacity, running.size(), deque.size(), performance,
                resourceAvailability, live);
    }
}

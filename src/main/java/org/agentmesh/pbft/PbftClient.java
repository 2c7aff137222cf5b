package org.agentmesh.pbft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agentmesh.pbft.PbftMessage.Reply;
import org.agentmesh.pbft.PbftMessage.Request;

/**
 * A pBFT client as a deterministic state machine. Operations are sent one at a time, in submission order, each with
 * the next timestamp: first to the primary it believes in, then, after {@code retransmitMillis} without an answer, to
 * every replica (again and again). A result is accepted once f+1 replicas (so at least one correct) sent matching,
 * validly signed replies for the outstanding timestamp.
 */
public final class PbftClient {

    private final String self;
    private final PbftConfig config;
    private final Authenticator auth;
    private final long retransmitMillis;

    private final ArrayDeque<String> waiting = new ArrayDeque<>();
    private long timestamp;
    private Request outstanding;
    private final Map<String, Reply> replies = new TreeMap<>();
    private long view;
    private long deadline = -1;
    private long now;
    private long completed;
    private long retransmissions;
    private final TreeMap<DropReason, Long> drops = new TreeMap<>();
    private List<PbftOutput> out = new ArrayList<>();

    public PbftClient(PbftConfig config, Authenticator auth, long retransmitMillis) {
        this.self = auth.self();
        this.config = config;
        this.auth = auth;
        this.retransmitMillis = retransmitMillis;
    }

    public String id() {
        return self;
    }

    /** Queues an operation; it is sent once every earlier one completed. */
    public List<PbftOutput> submit(String operation, long nowMillis) {
        begin(nowMillis);
        waiting.add(operation);
        sendNext();
        return end();
    }

    public List<PbftOutput> step(PbftInput input, long nowMillis) {
        begin(nowMillis);
        if (input instanceof PbftInput.Deliver d) {
            onMessage(d.message());
        } else if (input instanceof PbftInput.TimerFired t && t.kind() == TimerKind.CLIENT_RETRANSMIT) {
            if (outstanding != null && deadline >= 0 && now >= deadline) {
                retransmissions++;
                out.add(new PbftOutput.Broadcast(outstanding));
                arm();
            }
        }
        return end();
    }

    public boolean idle() {
        return outstanding == null && waiting.isEmpty();
    }

    public long completed() {
        return completed;
    }

    public long retransmissions() {
        return retransmissions;
    }

    public Map<DropReason, Long> dropCounts() {
        return new TreeMap<>(drops);
    }

    private void begin(long nowMillis) {
        now = nowMillis;
        out = new ArrayList<>();
    }

    private List<PbftOutput> end() {
        List<PbftOutput> r = out;
        out = new ArrayList<>();
        return r;
    }

    private void arm() {
        deadline = now + retransmitMillis;
        out.add(new PbftOutput.SetTimer(TimerKind.CLIENT_RETRANSMIT, retransmitMillis));
    }

    private void sendNext() {
        if (outstanding != null || waiting.isEmpty()) {
            return;
        }
        String op = waiting.poll();
        timestamp++;
        Request r = new Request(self, timestamp, op, "");
        outstanding = (Request) r.withSignature(auth.sign(CanonicalEncoding.content(r)));
        replies.clear();
        out.add(new PbftOutput.Send(config.primary(view), outstanding));
        arm();
    }

    private void drop(DropReason reason, PbftMessage m) {
        drops.merge(reason, 1L, Long::sum);
        out.add(new PbftOutput.Dropped(reason, m.getClass().getSimpleName(), m.sender()));
    }

    private void onMessage(PbftMessage m) {
        if (!(m instanceof Reply reply)) {
            drop(DropReason.INVALID, m);
            return;
        }
        if (!config.replicas().contains(reply.sender())) {
            drop(DropReason.UNKNOWN_SENDER, m);
            return;
        }
        if (!auth.verify(reply.sender(), CanonicalEncoding.content(reply), reply.signature())) {
            drop(DropReason.BAD_SIGNATURE, m);
            return;
        }
        if (outstanding == null || reply.timestamp() != outstanding.timestamp() || !reply.client().equals(self)) {
            drop(DropReason.STALE, m);
            return;
        }
        Reply had = replies.get(reply.sender());
        if (had != null && had.result().equals(reply.result())) {
            if (reply.view() > had.view()) {
                replies.put(reply.sender(), reply);
            }
            return;
        }
        replies.put(reply.sender(), reply);
        long matching = replies.values().stream().filter(r -> r.result().equals(reply.result())).count();
        if (matching >= config.f() + 1) {
            view = Math.max(view, replies.values().stream().filter(r -> r.result().equals(reply.result()))
                    .mapToLong(Reply::view).min().orElse(view));
            out.add(new PbftOutput.Completed(outstanding.timestamp(), outstanding.operation(), reply.result()));
            completed++;
            outstanding = null;
            deadline = -1;
            out.add(new PbftOutput.CancelTimer(TimerKind.CLIENT_RETRANSMIT));
            sendNext();
        }
    }
}

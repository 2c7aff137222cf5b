package org.agentmesh.pbft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.agentmesh.pbft.PbftMessage.PrePrepare;
import org.agentmesh.pbft.PbftMessage.Reply;
import org.agentmesh.pbft.PbftMessage.Request;
import org.junit.jupiter.api.Test;

/** Single-replica and single-client behaviours, driven by hand. */
class PbftCoreTest {

    static final List<String> REPLICAS = List.of("r0", "r1", "r2", "r3");
    static final Map<String, byte[]> SECRETS = HmacAuthenticator.secretsFor(List.of("r0", "r1", "r2", "r3", "c0", "c1", "c2"), 1);
    final PbftConfig config = PbftConfig.defaults(REPLICAS).withBatching(3, 10).withCheckpoints(4, 8)
            .withTimeouts(500, 500, 100);

    static Authenticator auth(String id) {
        return new HmacAuthenticator(id, SECRETS);
    }

    static <T extends PbftMessage> T signed(T m) {
        return Byzantine.sign(auth(m.sender()), m);
    }

    static PbftInput deliver(PbftMessage m) {
        return new PbftInput.Deliver(m);
    }

    static <T> List<T> of(List<PbftOutput> outputs, Class<T> type) {
        return outputs.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static Request request(long ts) {
        return signed(new Request("c0", ts, "op" + ts, ""));
    }

    @Test
    void defaultsFollowThePaper() {
        PbftConfig d = PbftConfig.defaults(REPLICAS);
        assertEquals(128, d.checkpointInterval());
        assertEquals(256, d.logSize());
        assertEquals(1, d.f());
        assertEquals("r1", d.primary(5));
    }

    @Test
    void thePrimaryBatchesRequestsUpToTheMaximumOrUntilTheBatchTimer() {
        PbftCore primary = new PbftCore(config, auth("r0"), new HashChainService());
        primary.start(0);
        assertTrue(of(primary.step(deliver(request(1)), 1), PbftOutput.Broadcast.class).isEmpty());
        assertTrue(of(primary.step(deliver(request(1)), 2), PbftOutput.Broadcast.class).isEmpty(), "duplicate");
        List<PbftOutput> out = primary.step(deliver(signed(new Request("c1", 1, "x", ""))), 3);
        assertTrue(of(out, PbftOutput.Broadcast.class).isEmpty());
        out = primary.step(deliver(signed(new Request("c2", 1, "y", ""))), 4);
        PrePrepare pp = (PrePrepare) of(out, PbftOutput.Broadcast.class).get(0).message();
        assertEquals(3, pp.batch().size(), "a full batch goes out at once");
        assertEquals(1, pp.seq());
        primary.step(deliver(request(2)), 5);
        assertTrue(of(primary.step(new PbftInput.TimerFired(TimerKind.BATCH), 14), PbftOutput.Broadcast.class).isEmpty(), "not due");
        out = primary.step(new PbftInput.TimerFired(TimerKind.BATCH), 15);
        pp = (PrePrepare) of(out, PbftOutput.Broadcast.class).get(0).message();
        assertEquals(List.of(request(2)), pp.batch(), "the batch timer flushes a partial batch");
        assertEquals(2, pp.seq());
    }

    @Test
    void backupsDropPrePreparesFromNonPrimariesOutsideTheWaterMarksOrWithForgedRequests() {
        PbftCore backup = new PbftCore(config, auth("r1"), new HashChainService());
        List<Request> batch = List.of(request(1));
        String d = CanonicalEncoding.digest(batch);
        backup.step(deliver(signed(new PrePrepare(0, 1, d, batch, "r2", ""))), 1);
        backup.step(deliver(signed(new PrePrepare(0, 9, d, batch, "r0", ""))), 1); // L = 8
        Request forged = new Request("c0", 7, "evil", auth("r0").sign(new byte[] {1}));
        backup.step(deliver(signed(new PrePrepare(0, 2, CanonicalEncoding.digest(List.of(forged)), List.of(forged), "r0", ""))), 1);
        backup.step(deliver(signed(new PrePrepare(0, 3, "not-the-digest", batch, "r0", ""))), 1);
        Map<DropReason, Long> drops = backup.dropCounts();
        assertEquals(1, drops.get(DropReason.NOT_FROM_PRIMARY));
        assertEquals(1, drops.get(DropReason.OUT_OF_WATERMARKS));
        assertEquals(2, drops.get(DropReason.INVALID));
        List<PbftOutput> out = backup.step(deliver(signed(new PrePrepare(0, 1, d, batch, "r0", ""))), 2);
        assertEquals(PbftMessage.Prepare.class, of(out, PbftOutput.Broadcast.class).get(0).message().getClass());
    }

    @Test
    void aConflictingPrePrepareFromThePrimaryStartsAViewChange() {
        PbftCore backup = new PbftCore(config, auth("r1"), new HashChainService());
        List<Request> a = List.of(request(1));
        backup.step(deliver(signed(new PrePrepare(0, 1, CanonicalEncoding.digest(a), a, "r0", ""))), 1);
        List<PbftOutput> out = backup.step(deliver(signed(new PrePrepare(0, 1, CanonicalEncoding.digest(List.of()), List.of(), "r0", ""))), 2);
        assertEquals(List.of(new PbftOutput.ViewChangeStarted(1)), of(out, PbftOutput.ViewChangeStarted.class));
        assertFalse(backup.viewActive());
        assertEquals(1, backup.dropCounts().get(DropReason.CONFLICTING_VOTE));
    }

    static PbftMessage.ViewChange viewChange(long view, String sender) {
        return signed(new PbftMessage.ViewChange(view, 0, List.of(), List.of(), sender, ""));
    }

    @Test
    void viewChangeTimeoutsStartOnAQuorumAndBackOffExponentially() {
        PbftCore backup = new PbftCore(config, auth("r3"), new HashChainService());
        backup.start(0);
        List<PbftOutput> out = backup.step(deliver(request(1)), 0);
        assertEquals(List.of(new PbftOutput.Send("r0", request(1))), of(out, PbftOutput.Send.class), "forwarded to the primary");
        assertTrue(out.contains(new PbftOutput.SetTimer(TimerKind.REQUEST, 500)));
        assertTrue(backup.step(new PbftInput.TimerFired(TimerKind.REQUEST), 499).isEmpty(), "not due yet");
        out = backup.step(new PbftInput.TimerFired(TimerKind.REQUEST), 500);
        assertTrue(out.contains(new PbftOutput.ViewChangeStarted(1)));
        assertTrue(of(out, PbftOutput.SetTimer.class).stream().noneMatch(t -> t.kind() == TimerKind.VIEW_CHANGE),
                "alone in suspecting the primary: no view-change timer yet");
        assertTrue(of(backup.step(new PbftInput.TimerFired(TimerKind.VIEW_CHANGE), 10_000),
                PbftOutput.ViewChangeStarted.class).isEmpty(), "a lone suspecter does not race to later views");
        backup.step(deliver(viewChange(1, "r0")), 10_001);
        out = backup.step(deliver(viewChange(1, "r2")), 10_002);
        assertTrue(out.contains(new PbftOutput.SetTimer(TimerKind.VIEW_CHANGE, 500)), "2f+1 asked for view 1: " + out);
        out = backup.step(new PbftInput.TimerFired(TimerKind.VIEW_CHANGE), 10_502); // r1 never sent NEW-VIEW
        assertTrue(out.contains(new PbftOutput.ViewChangeStarted(2)));
        backup.step(deliver(viewChange(2, "r0")), 10_503);
        out = backup.step(deliver(viewChange(2, "r1")), 10_504);
        assertTrue(out.contains(new PbftOutput.SetTimer(TimerKind.VIEW_CHANGE, 1_000)), "doubled: " + out);
        out = backup.step(new PbftInput.TimerFired(TimerKind.VIEW_CHANGE), 11_504); // r2 never sent NEW-VIEW either
        assertTrue(out.contains(new PbftOutput.ViewChangeStarted(3)));
        backup.step(deliver(viewChange(3, "r0")), 11_505);
        out = backup.step(deliver(viewChange(3, "r1")), 11_506); // r3 is the primary of view 3
        assertTrue(out.contains(new PbftOutput.ViewChanged(3, "r3")), out.toString());
        PbftMessage.NewView nv = (PbftMessage.NewView) of(out, PbftOutput.Broadcast.class).stream()
                .map(PbftOutput.Broadcast::message).filter(m -> m instanceof PbftMessage.NewView).findFirst().orElseThrow();
        assertEquals(3, nv.viewChanges().size());
        assertEquals(3, backup.viewChangesStarted());
        assertEquals(1, backup.viewChangesCompleted());
        assertTrue(backup.viewActive());
        assertTrue(backup.isPrimary());
    }

    @Test
    void theClientAcceptsOnlyFPlusOneMatchingAuthenticReplies() {
        PbftClient client = new PbftClient(config, auth("c0"), 300);
        List<PbftOutput> out = client.submit("op", 0);
        Request sent = (Request) of(out, PbftOutput.Send.class).get(0).message();
        assertEquals("r0", of(out, PbftOutput.Send.class).get(0).to());
        client.step(deliver(signed(new Reply(0, sent.timestamp(), "c0", "42", "r0", ""))), 1);
        client.step(deliver(signed(new Reply(0, sent.timestamp(), "c0", "666", "r1", ""))), 2);
        Reply forged = Byzantine.sign(auth("r0"), new Reply(0, sent.timestamp(), "c0", "42", "r2", ""));
        out = client.step(deliver(forged), 3);
        assertTrue(of(out, PbftOutput.Completed.class).isEmpty(), "a forged second reply must not complete it");
        assertEquals(1, client.dropCounts().get(DropReason.BAD_SIGNATURE));
        out = client.step(deliver(signed(new Reply(0, sent.timestamp(), "c0", "42", "r0", ""))), 4);
        assertTrue(of(out, PbftOutput.Completed.class).isEmpty(), "the same replica twice is one reply");
        out = client.step(new PbftInput.TimerFired(TimerKind.CLIENT_RETRANSMIT), 300);
        assertEquals(List.of(new PbftOutput.Broadcast(sent)), of(out, PbftOutput.Broadcast.class), "retransmitted to all");
        out = client.step(deliver(signed(new Reply(1, sent.timestamp(), "c0", "42", "r3", ""))), 301);
        assertEquals(List.of(new PbftOutput.Completed(sent.timestamp(), "op", "42")), of(out, PbftOutput.Completed.class));
        assertTrue(client.idle());
    }
}

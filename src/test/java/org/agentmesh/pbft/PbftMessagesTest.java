package org.agentmesh.pbft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.agentmesh.pbft.PbftMessage.Checkpoint;
import org.agentmesh.pbft.PbftMessage.Commit;
import org.agentmesh.pbft.PbftMessage.NewView;
import org.agentmesh.pbft.PbftMessage.PrePrepare;
import org.agentmesh.pbft.PbftMessage.Prepare;
import org.agentmesh.pbft.PbftMessage.Reply;
import org.agentmesh.pbft.PbftMessage.Request;
import org.agentmesh.pbft.PbftMessage.StateReply;
import org.agentmesh.pbft.PbftMessage.StateRequest;
import org.agentmesh.pbft.PbftMessage.Status;
import org.agentmesh.pbft.PbftMessage.ViewChange;
import org.agentmesh.serialization.CborSerializable;
import org.junit.jupiter.api.Test;

/** Wire format, canonical encoding and Ed25519 authentication of every pBFT message and persisted record. */
class PbftMessagesTest {

    static final List<NodeKey> KEYS = new ArrayList<>();
    static final KeyRing RING;
    static final Map<String, Authenticator> AUTH = new HashMap<>();

    static {
        var random = NodeKey.seededRandom(7);
        for (String id : List.of("r0", "r1", "r2", "r3", "c0")) {
            KEYS.add(NodeKey.generate(id, random));
        }
        RING = KeyRing.of(KEYS);
        KEYS.forEach(k -> AUTH.put(k.id(), new Ed25519Authenticator(k, RING)));
    }

    static <T extends PbftMessage> T signed(T m) {
        return Byzantine.sign(AUTH.get(m.sender()), m);
    }

    /** One realistic, signed instance of every message type (nested proofs included). */
    static Map<Class<?>, PbftMessage> samples() {
        Request req = signed(new Request("c0", 3, "{\"op\":\"x\"}", ""));
        List<Request> batch = List.of(req);
        String d = CanonicalEncoding.digest(batch);
        PrePrepare pp = signed(new PrePrepare(0, 5, d, batch, "r0", ""));
        Prepare p1 = signed(new Prepare(0, 5, d, "r1", ""));
        Prepare p2 = signed(new Prepare(0, 5, d, "r2", ""));
        Commit c = signed(new Commit(0, 5, d, "r3", ""));
        ReplicaSnapshot snap = new ReplicaSnapshot(4, "state", Map.of("c0", new ReplicaSnapshot.ClientEntry(2, "ok")));
        String sd = CanonicalEncoding.digest(snap);
        List<Checkpoint> proof = List.of(signed(new Checkpoint(4, sd, "r0", "")), signed(new Checkpoint(4, sd, "r1", "")),
                signed(new Checkpoint(4, sd, "r2", "")));
        ViewChange vc = signed(new ViewChange(1, 4, proof, List.of(new PreparedCertificate(pp, List.of(p1, p2))), "r2", ""));
        PrePrepare o = signed(new PrePrepare(1, 5, d, batch, "r1", ""));
        Map<Class<?>, PbftMessage> m = new LinkedHashMap<>();
        m.put(Request.class, req);
        m.put(PrePrepare.class, pp);
        m.put(Prepare.class, p1);
        m.put(Commit.class, c);
        m.put(Reply.class, signed(new Reply(1, 3, "c0", "ok", "r3", "")));
        m.put(Checkpoint.class, proof.get(0));
        m.put(ViewChange.class, vc);
        m.put(NewView.class, signed(new NewView(1, List.of(vc, vc, vc), List.of(o), "r1", "")));
        m.put(Status.class, signed(new Status(1, true, 5, 4, "r2", "")));
        m.put(StateRequest.class, signed(new StateRequest(4, "r3", "")));
        m.put(StateReply.class, signed(new StateReply(4, snap, "r0", "")));
        return m;
    }

    @Test
    void everyMessageTypeAndRecordRoundTripsThroughCbor() throws Exception {
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        Map<Class<?>, PbftMessage> samples = samples();
        Set<Class<?>> permitted = Set.of(PbftMessage.class.getPermittedSubclasses());
        assertEquals(permitted, samples.keySet(), "a sample for every sealed message type");
        for (PbftMessage m : samples.values()) {
            assertTrue(m instanceof CborSerializable);
            PbftMessage back = cbor.readValue(cbor.writeValueAsBytes(m), PbftMessage.class);
            assertEquals(m, back, m.getClass().getSimpleName());
        }
        List<Object> records = List.of(
                new PreparedCertificate((PrePrepare) samples.get(PrePrepare.class), List.of((Prepare) samples.get(Prepare.class))),
                ((StateReply) samples.get(StateReply.class)).state(),
                new ReplicaSnapshot.ClientEntry(1, "r"),
                RING, KEYS.get(0), KEYS.get(0).encodedPublicKey());
        for (Object r : records) {
            assertTrue(r instanceof CborSerializable, r.getClass().getName());
            assertEquals(r, cbor.readValue(cbor.writeValueAsBytes(r), r.getClass()), r.getClass().getSimpleName());
        }
    }

    @Test
    void persistedKeysStillSignAndVerifyAfterTheRoundTrip() throws Exception {
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        NodeKey key = cbor.readValue(cbor.writeValueAsBytes(KEYS.get(1)), NodeKey.class);
        KeyRing ring = cbor.readValue(cbor.writeValueAsBytes(RING), KeyRing.class);
        Authenticator a = new Ed25519Authenticator(key, ring);
        byte[] content = "hello".getBytes();
        assertTrue(AUTH.get("r2").verify("r1", content, a.sign(content)));
    }

    @Test
    void everySignatureVerifiesAndCoversTheContentAndTheSender() {
        Authenticator verifier = AUTH.get("r3");
        for (PbftMessage m : samples().values()) {
            byte[] content = CanonicalEncoding.content(m);
            assertTrue(verifier.verify(m.sender(), content, m.signature()), m.getClass().getSimpleName());
            String other = m.sender().equals("r0") ? "r1" : "r0";
            assertFalse(verifier.verify(other, content, m.signature()), "claimed by another sender");
            assertFalse(verifier.verify("mallory", content, m.signature()), "non-member");
            byte[] tampered = Arrays.copyOf(content, content.length);
            tampered[tampered.length / 2] ^= 1;
            assertFalse(verifier.verify(m.sender(), tampered, m.signature()), "tampered content");
        }
        Prepare p = (Prepare) samples().get(Prepare.class);
        Commit asCommit = new Commit(p.view(), p.seq(), p.digest(), p.sender(), p.signature());
        assertFalse(verifier.verify(asCommit.sender(), CanonicalEncoding.content(asCommit), asCommit.signature()),
                "a prepare's signature does not make a commit: the type is part of the signed content");
    }

    @Test
    void messagesWithMissingFieldsDoNotDecode() throws Exception {
        ObjectMapper cbor = new ObjectMapper(new CBORFactory());
        for (PbftMessage m : samples().values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = cbor.readValue(cbor.writeValueAsBytes(m), Map.class);
            fields.remove("sender");
            byte[] bytes = cbor.writeValueAsBytes(fields);
            org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> cbor.readValue(bytes, PbftMessage.class), m.getClass().getSimpleName() + " without a sender");
        }
    }

    @Test
    void theVerificationCacheNeverLetsADifferentMessagePass() {
        CachingAuthenticator cached = new CachingAuthenticator(AUTH.get("r3"), 2);
        Prepare p = (Prepare) samples().get(Prepare.class);
        byte[] content = CanonicalEncoding.content(p);
        assertTrue(cached.verify(p.sender(), content, p.signature()));
        assertTrue(cached.verify(p.sender(), content, p.signature()));
        assertEquals(1, cached.hits());
        Prepare other = new Prepare(p.view(), p.seq() + 1, p.digest(), p.sender(), p.signature());
        assertFalse(cached.verify(p.sender(), CanonicalEncoding.content(other), p.signature()), "same signature, other content");
        assertFalse(cached.verify("r2", content, p.signature()), "same signature, other signer");
        assertEquals(1, cached.hits());
    }

    @Test
    void theCanonicalEncodingIgnoresMapInsertionOrder() {
        Map<String, ReplicaSnapshot.ClientEntry> a = new LinkedHashMap<>();
        Map<String, ReplicaSnapshot.ClientEntry> b = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            a.put("c" + i, new ReplicaSnapshot.ClientEntry(i, "r" + i));
            b.put("c" + (19 - i), new ReplicaSnapshot.ClientEntry(19 - i, "r" + (19 - i)));
        }
        assertEquals(CanonicalEncoding.digest(new ReplicaSnapshot(8, "s", a)), CanonicalEncoding.digest(new ReplicaSnapshot(8, "s", b)));
        assertNotEquals(CanonicalEncoding.digest(new ReplicaSnapshot(8, "s", a)), CanonicalEncoding.digest(new ReplicaSnapshot(8, "t", a)));
    }

    @Test
    void theHmacStandInRejectsForgeries() {
        var secrets = HmacAuthenticator.secretsFor(List.of("r0", "r1"), 1);
        Authenticator r0 = new HmacAuthenticator("r0", secrets);
        Authenticator r1 = new HmacAuthenticator("r1", secrets);
        byte[] content = "x".getBytes();
        assertTrue(r1.verify("r0", content, r0.sign(content)));
        assertFalse(r1.verify("r1", content, r0.sign(content)));
        assertFalse(r1.verify("nobody", content, r0.sign(content)));
        assertEquals(Set.of("r0", "r1"), secrets.keySet().stream().filter(r1::knows).collect(Collectors.toSet()));
    }
}

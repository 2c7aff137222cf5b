package org.agentmesh.pbft;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;
import org.agentmesh.pbft.PbftMessage.Commit;
import org.agentmesh.pbft.PbftMessage.PrePrepare;
import org.agentmesh.pbft.PbftMessage.Prepare;
import org.agentmesh.pbft.PbftMessage.Request;
import org.agentmesh.pbft.PbftMessage.ViewChange;

/**
 * Byzantine replicas for the simulation: each runs a correct core (so it knows what an honest replica would send) and
 * distorts its traffic. They sign with their own key only; they cannot sign for anyone else.
 */
final class Byzantine {

    enum Kind { SILENT, EQUIVOCATING_PRIMARY, FORGER, REPLAYER, DOUBLE_VOTER, CRASHED_PRIMARY, NEW_VIEW_LIAR,
        /** Not byzantine: a correct replica cut off by a partition for a while (it must catch up afterwards). */
        PARTITIONED,
        /** Not byzantine: a correct replica that crashes and restarts with its state (all of it durable). */
        RESTARTED }

    private Byzantine() {}

    static SimNode of(Kind kind, PbftCore core, Authenticator auth, List<String> replicas, RandomGenerator random) {
        return switch (kind) {
            case SILENT -> new Silent(core);
            case EQUIVOCATING_PRIMARY -> new Equivocator(core, auth, replicas, random);
            case FORGER -> new Forger(core, auth, replicas, random);
            case REPLAYER -> new Replayer(core, replicas, random);
            case DOUBLE_VOTER -> new DoubleVoter(core, auth, replicas, random);
            case CRASHED_PRIMARY -> SimNode.correct(core); // correct until the harness crashes it
            case NEW_VIEW_LIAR -> new NewViewLiar(core, auth, replicas);
            case PARTITIONED, RESTARTED -> SimNode.correct(core);
        };
    }

    @SuppressWarnings("unchecked")
    static <T extends PbftMessage> T sign(Authenticator auth, T m) {
        return (T) m.withSignature(auth.sign(CanonicalEncoding.content(m.withSignature(""))));
    }

    /** Base for wrappers that run the correct core and rewrite its outputs. */
    abstract static class Wrapper implements SimNode {
        final PbftCore core;
        final List<String> replicas;

        Wrapper(PbftCore core, List<String> replicas) {
            this.core = core;
            this.replicas = replicas;
        }

        @Override
        public String id() {
            return core.id();
        }

        @Override
        public PbftCore core() {
            return core;
        }

        @Override
        public List<PbftOutput> start(long now) {
            return core.start(now);
        }

        @Override
        public List<PbftOutput> step(PbftInput input, long now) {
            List<PbftOutput> result = new ArrayList<>();
            for (PbftOutput o : core.step(input, now)) {
                rewrite(o, result);
            }
            return result;
        }

        abstract void rewrite(PbftOutput o, List<PbftOutput> result);

        List<String> others() {
            List<String> l = new ArrayList<>(replicas);
            l.remove(id());
            return l;
        }
    }

    /** Receives everything, sends nothing. */
    static final class Silent implements SimNode {
        private final PbftCore core;

        Silent(PbftCore core) {
            this.core = core;
        }

        @Override
        public String id() {
            return core.id();
        }

        @Override
        public PbftCore core() {
            return core;
        }

        @Override
        public List<PbftOutput> start(long now) {
            return List.of();
        }

        @Override
        public List<PbftOutput> step(PbftInput input, long now) {
            return List.of();
        }
    }

    /** As primary, sends different (validly signed) pre-prepares for the same sequence number to different backups. */
    static final class Equivocator extends Wrapper {
        private final Authenticator auth;
        private final RandomGenerator random;

        Equivocator(PbftCore core, Authenticator auth, List<String> replicas, RandomGenerator random) {
            super(core, replicas);
            this.auth = auth;
            this.random = random;
        }

        @Override
        void rewrite(PbftOutput o, List<PbftOutput> result) {
            if (!(o instanceof PbftOutput.Broadcast b) || !(b.message() instanceof PrePrepare pp)) {
                result.add(o);
                return;
            }
            List<String> others = others();
            int shift = random.nextInt(3);
            for (int i = 0; i < others.size(); i++) {
                PrePrepare variant = variant(pp, (i + shift) % 3);
                result.add(new PbftOutput.Send(others.get(i), variant));
                if (random.nextDouble() < 0.2) { // sometimes one backup sees both: caught lying
                    result.add(new PbftOutput.Send(others.get(i), variant(pp, (i + shift + 1) % 3)));
                }
            }
        }

        private PrePrepare variant(PrePrepare pp, int k) {
            List<Request> batch = new ArrayList<>(pp.batch());
            if (k == 0) {
                return pp;
            } else if (k == 1 || batch.size() < 2) {
                batch = k == 1 ? List.of() : batch.subList(0, Math.max(0, batch.size() - 1));
            } else {
                Collections.reverse(batch);
            }
            return sign(auth, new PrePrepare(pp.view(), pp.seq(), CanonicalEncoding.digest(batch), batch, pp.sender(), ""));
        }
    }

    /** Behaves correctly and also sends messages claiming to be from others, with bad signatures, from non-members. */
    static final class Forger extends Wrapper {
        private final Authenticator auth;
        private final RandomGenerator random;

        Forger(PbftCore core, Authenticator auth, List<String> replicas, RandomGenerator random) {
            super(core, replicas);
            this.auth = auth;
            this.random = random;
        }

        @Override
        void rewrite(PbftOutput o, List<PbftOutput> result) {
            result.add(o);
            if (!(o instanceof PbftOutput.Broadcast b) || random.nextDouble() > 0.3) {
                return;
            }
            List<String> others = others();
            String victim = others.get(random.nextInt(others.size()));
            String target = others.get(random.nextInt(others.size()));
            PbftMessage m = b.message();
            PbftMessage forged = null;
            if (m instanceof Prepare p) {
                forged = new Prepare(p.view(), p.seq(), "bogus" + random.nextInt(), victim, "");
            } else if (m instanceof Commit c) {
                forged = new Commit(c.view(), c.seq(), "bogus" + random.nextInt(), victim, "");
            } else if (m instanceof PbftMessage.Status s) {
                forged = new ViewChange(s.view() + 1, 0, List.of(), List.of(), victim, "");
            }
            if (forged != null) {
                // signed with the forger's own key but claiming the victim: a forged sender
                result.add(new PbftOutput.Send(target, forged.withSignature(auth.sign(CanonicalEncoding.content(forged)))));
                // random garbage as signature
                byte[] junk = new byte[64];
                random.nextBytes(junk);
                result.add(new PbftOutput.Send(target, forged.withSignature(Base64.getEncoder().encodeToString(junk))));
            }
            // a non-member speaks
            PbftMessage outsider = new Prepare(core.view(), core.lastExecuted() + 1, "x", "mallory", "");
            result.add(new PbftOutput.Send(target, outsider.withSignature(auth.sign(CanonicalEncoding.content(outsider)))));
            // a tampered copy of an honest message (content changed after signing)
            if (m instanceof Prepare p && !p.signature().isEmpty()) {
                result.add(new PbftOutput.Send(target, new Prepare(p.view(), p.seq() + 1, p.digest(), p.sender(), p.signature())));
            }
        }
    }

    /** Behaves correctly and re-sends old messages it received (validly signed by others) to random replicas. */
    static final class Replayer extends Wrapper {
        private final RandomGenerator random;
        private final List<PbftMessage> seen = new ArrayList<>();

        Replayer(PbftCore core, List<String> replicas, RandomGenerator random) {
            super(core, replicas);
            this.random = random;
        }

        @Override
        public List<PbftOutput> step(PbftInput input, long now) {
            if (input instanceof PbftInput.Deliver d) {
                if (seen.size() < 2000) {
                    seen.add(d.message());
                } else {
                    seen.set(random.nextInt(seen.size()), d.message());
                }
            }
            List<PbftOutput> result = super.step(input, now);
            if (!seen.isEmpty() && random.nextDouble() < 0.3) {
                List<String> others = others();
                for (int i = 0; i < 3; i++) {
                    PbftMessage old = seen.get(random.nextInt(seen.size()));
                    result.add(new PbftOutput.Send(others.get(random.nextInt(others.size())), old));
                }
            }
            return result;
        }

        @Override
        void rewrite(PbftOutput o, List<PbftOutput> result) {
            result.add(o);
        }
    }

    /** Sends two different, validly signed prepares and commits for the same slot to different replicas. */
    static final class DoubleVoter extends Wrapper {
        private final Authenticator auth;
        private final RandomGenerator random;

        DoubleVoter(PbftCore core, Authenticator auth, List<String> replicas, RandomGenerator random) {
            super(core, replicas);
            this.auth = auth;
            this.random = random;
        }

        @Override
        void rewrite(PbftOutput o, List<PbftOutput> result) {
            if (!(o instanceof PbftOutput.Broadcast b)
                    || !(b.message() instanceof Prepare || b.message() instanceof Commit)) {
                result.add(o);
                return;
            }
            PbftMessage honest = b.message();
            String fake = CanonicalEncoding.sha256(("fake" + random.nextLong()).getBytes());
            PbftMessage other = honest instanceof Prepare p
                    ? sign(auth, new Prepare(p.view(), p.seq(), fake, p.sender(), ""))
                    : sign(auth, new Commit(((Commit) honest).view(), ((Commit) honest).seq(), fake, honest.sender(), ""));
            List<String> others = others();
            for (int i = 0; i < others.size(); i++) {
                boolean first = random.nextBoolean();
                result.add(new PbftOutput.Send(others.get(i), first ? honest : other));
                if (random.nextDouble() < 0.3) {
                    result.add(new PbftOutput.Send(others.get(i), first ? other : honest));
                }
            }
        }
    }

    /**
     * As a new primary, sends a NEW-VIEW (validly signed by itself, with genuine view changes) whose pre-prepares do not
     * follow from the view changes: the last one is turned into a null request, or a null request is appended.
     */
    static final class NewViewLiar extends Wrapper {
        private final Authenticator auth;

        NewViewLiar(PbftCore core, Authenticator auth, List<String> replicas) {
            super(core, replicas);
            this.auth = auth;
        }

        @Override
        void rewrite(PbftOutput o, List<PbftOutput> result) {
            // the honest NEW-VIEW must not leak, neither broadcast nor re-sent to a lagging replica
            PbftMessage.NewView nv;
            if (o instanceof PbftOutput.Broadcast b && b.message() instanceof PbftMessage.NewView m) {
                nv = m;
            } else if (o instanceof PbftOutput.Send s && s.message() instanceof PbftMessage.NewView m) {
                nv = m;
            } else {
                result.add(o);
                return;
            }
            List<PrePrepare> o2 = new ArrayList<>(nv.prePrepares());
            PrePrepare last = o2.isEmpty() ? null : o2.get(o2.size() - 1);
            if (last != null && !last.batch().isEmpty()) {
                o2.set(o2.size() - 1, sign(auth, new PrePrepare(nv.view(), last.seq(),
                        CanonicalEncoding.digest(List.of()), List.of(), id(), "")));
            } else {
                long seq = last == null ? core.stableCheckpoint() + 1 : last.seq() + 1;
                o2.add(sign(auth, new PrePrepare(nv.view(), seq, CanonicalEncoding.digest(List.of()), List.of(), id(), "")));
            }
            PbftMessage.NewView lie = sign(auth, new PbftMessage.NewView(nv.view(), nv.viewChanges(), o2, id(), ""));
            result.add(o instanceof PbftOutput.Send s ? new PbftOutput.Send(s.to(), lie) : new PbftOutput.Broadcast(lie));
        }
    }
}

package org.agentmesh.proposals;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agentmesh.pbft.EncodedPublicKey;
import org.agentmesh.pbft.ReplicatedService;

/**
 * The proposal ledger: a deterministic state machine that pBFT replicates, applying {@link ProposalCommand}s in
 * sequence order. Registered agents vote once per proposal with an Ed25519-signed {@link Ballot}; a proposal is
 * APPROVED as soon as approvals reach {@code threshold * eligible}, REJECTED as soon as they no longer can (or at its
 * deadline, which only a command's timestamp can pass). Refused commands leave the state unchanged.
 */
public final class ProposalLedger implements ReplicatedService {

    private final ProposalCodec codec = new ProposalCodec();
    private final TreeMap<String, EncodedPublicKey> agents = new TreeMap<>();
    private final TreeSet<String> departed = new TreeSet<>();
    private final TreeMap<String, Proposal> proposals = new TreeMap<>();
    private final Map<String, PublicKey> decodedKeys = new HashMap<>();

    public ProposalResult apply(ProposalCommand command) {
        if (command instanceof ProposalCommand.RegisterAgent r) {
            return register(r);
        } else if (command instanceof ProposalCommand.Propose p) {
            return propose(p);
        } else if (command instanceof ProposalCommand.Vote v) {
            return vote(v);
        } else if (command instanceof ProposalCommand.AgentDeparted d) {
            return depart(d);
        } else if (command instanceof ProposalCommand.AgentRejoined r) {
            return rejoin(r);
        } else if (command instanceof ProposalCommand.Tick t) {
            return ProposalResult.ok(closeExpired(t.nowMillis()));
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    public Optional<ProposalStatus> status(String proposalId) {
        return Optional.ofNullable(proposals.get(proposalId)).map(Proposal::status);
    }

    /** The {@code limit} most recently created proposals, newest first (ties by id), with their status. */
    public List<ProposalStatus> recent(int limit) {
        return proposals.values().stream()
                .sorted(java.util.Comparator.comparingLong(Proposal::createdAtMillis).reversed().thenComparing(Proposal::proposalId))
                .limit(limit).map(Proposal::status).toList();
    }

    public Optional<Proposal> proposal(String proposalId) {
        return Optional.ofNullable(proposals.get(proposalId));
    }

    /** Whether some open proposal's deadline is at or before {@code nowMillis} (a Tick would close it). */
    public boolean hasOpenProposalDueBy(long nowMillis) {
        return proposals.values().stream().anyMatch(p -> p.decision() == Decision.OPEN && nowMillis >= p.deadlineMillis());
    }

    public boolean isRegistered(String agentId) {
        return agents.containsKey(agentId) && !departed.contains(agentId);
    }

    /** Registered agents that departed (left or confirmed failed), as of the last executed command. */
    public Set<String> departed() {
        return Set.copyOf(departed);
    }

    // ---------------------------------------------------------------- ReplicatedService

    /** Applies a JSON-encoded command (a pBFT request operation); returns the JSON-encoded {@link ProposalResult}. */
    @Override
    public String execute(String client, String operation, long seq) {
        ProposalCommand command;
        try {
            command = codec.decodeCommand(operation);
        } catch (IllegalArgumentException e) {
            return codec.encode(ProposalResult.refused("malformed command"));
        }
        return codec.encode(apply(command));
    }

    @Override
    public String snapshot() {
        return codec.encode(new LedgerSnapshot(agents, List.copyOf(departed), proposals));
    }

    @Override
    public void restore(String snapshot) {
        LedgerSnapshot s = codec.decodeSnapshot(snapshot);
        agents.clear();
        agents.putAll(s.agents());
        departed.clear();
        departed.addAll(s.departed());
        proposals.clear();
        proposals.putAll(s.proposals());
        decodedKeys.clear();
    }

    // ---------------------------------------------------------------- commands

    private ProposalResult register(ProposalCommand.RegisterAgent r) {
        if (r.agentId().isBlank()) {
            return ProposalResult.refused("agentId must not be blank");
        }
        try {
            r.publicKey().decode();
        } catch (IllegalArgumentException e) {
            return ProposalResult.refused("publicKey is not an Ed25519 key");
        }
        EncodedPublicKey had = agents.get(r.agentId());
        if (had != null && !had.equals(r.publicKey())) {
            return ProposalResult.refused("agent " + r.agentId() + " is registered with another key");
        }
        // registering again (every new gateway does) does not undo a departure: only AgentRejoined does
        agents.put(r.agentId(), r.publicKey());
        decodedKeys.remove(r.agentId());
        return ProposalResult.ok(List.of());
    }

    private ProposalResult propose(ProposalCommand.Propose p) {
        if (p.proposalId().isBlank()) {
            return ProposalResult.refused("proposalId must not be blank");
        }
        if (proposals.containsKey(p.proposalId())) {
            return ProposalResult.refused("proposal " + p.proposalId() + " exists");
        }
        if (!isRegistered(p.proposer())) {
            return ProposalResult.refused("proposer " + p.proposer() + " is not a registered live agent");
        }
        if (!p.proposal().isObject()) {
            return ProposalResult.refused("proposal must be a JSON object");
        }
        if (!(p.threshold() > 0 && p.threshold() <= 1)) {
            return ProposalResult.refused("threshold must be in (0, 1], was " + p.threshold());
        }
        if (p.deadlineMillis() <= p.nowMillis()) {
            return ProposalResult.refused("deadlineMillis must be after nowMillis");
        }
        Set<String> named = new LinkedHashSet<>(p.eligibleVoters());
        if (named.isEmpty() || named.size() != p.eligibleVoters().size()) {
            return ProposalResult.refused("eligibleVoters must be non-empty and distinct");
        }
        for (String voter : named) {
            if (!agents.containsKey(voter)) {
                return ProposalResult.refused("eligible voter " + voter + " is not a registered agent");
            }
        }
        // the threshold is a fraction of the live agents at this sequence number: departed ones are left out here,
        // where every correct replica agrees on who departed, not by the caller
        Set<String> eligible = new LinkedHashSet<>(named);
        eligible.removeAll(departed);
        if (eligible.isEmpty()) {
            return ProposalResult.refused("none of the eligible voters is live");
        }
        Proposal proposal = new Proposal(p.proposalId(), p.proposer(), p.proposal().deepCopy(), p.threshold(),
                p.nowMillis(), p.deadlineMillis(), new ArrayList<>(new TreeSet<>(eligible)), Map.of(), Decision.OPEN,
                0, "");
        proposal = evaluate(proposal, p.nowMillis());
        proposals.put(p.proposalId(), proposal);
        return ProposalResult.ok(List.of(proposal.status()));
    }

    private ProposalResult vote(ProposalCommand.Vote v) {
        Proposal p = proposals.get(v.proposalId());
        if (p == null) {
            return ProposalResult.refused("no proposal " + v.proposalId());
        }
        if (p.decision() == Decision.OPEN && v.nowMillis() >= p.deadlineMillis()) {
            p = closeAtDeadline(p);
            proposals.put(p.proposalId(), p);
            return new ProposalResult(false, "proposal " + p.proposalId() + " is past its deadline",
                    List.of(p.status()));
        }
        if (p.decision() != Decision.OPEN) {
            return new ProposalResult(false, "proposal " + p.proposalId() + " is already " + p.decision(),
                    List.of(p.status()));
        }
        if (!p.eligible().contains(v.agentId())) {
            return ProposalResult.refused("agent " + v.agentId() + " is not an eligible voter");
        }
        if (p.votes().containsKey(v.agentId())) {
            return ProposalResult.refused("agent " + v.agentId() + " already voted on " + p.proposalId());
        }
        PublicKey key = decodedKeys.computeIfAbsent(v.agentId(), id -> agents.get(id).decode());
        if (!v.ballot().verify(key, v.signature())) {
            return ProposalResult.refused("bad signature on the vote of " + v.agentId());
        }
        Map<String, Choice> votes = new TreeMap<>(p.votes());
        votes.put(v.agentId(), v.choice());
        p = evaluate(p.with(p.eligible(), votes, Decision.OPEN, 0, ""), v.nowMillis());
        proposals.put(p.proposalId(), p);
        return ProposalResult.ok(List.of(p.status()));
    }

    private ProposalResult depart(ProposalCommand.AgentDeparted d) {
        if (!agents.containsKey(d.agentId())) {
            return ProposalResult.refused("agent " + d.agentId() + " is not registered");
        }
        if (!departed.add(d.agentId())) {
            return ProposalResult.ok(closeExpired(d.nowMillis())); // several detectors report one failure
        }
        List<ProposalStatus> changed = new ArrayList<>();
        for (Proposal p : List.copyOf(proposals.values())) {
            if (p.decision() != Decision.OPEN || !p.eligible().contains(d.agentId())) {
                continue;
            }
            List<String> eligible = new ArrayList<>(p.eligible());
            eligible.remove(d.agentId());
            Map<String, Choice> votes = new TreeMap<>(p.votes());
            votes.remove(d.agentId());
            Proposal updated = evaluate(p.with(eligible, votes, Decision.OPEN, 0, ""), d.nowMillis());
            proposals.put(updated.proposalId(), updated);
            changed.add(updated.status());
        }
        changed.addAll(closeExpired(d.nowMillis()));
        return ProposalResult.ok(changed);
    }

    private ProposalResult rejoin(ProposalCommand.AgentRejoined r) {
        if (!agents.containsKey(r.agentId())) {
            return ProposalResult.refused("agent " + r.agentId() + " is not registered");
        }
        // it votes on proposals opened from now on; the open ones keep the live set they had
        departed.remove(r.agentId());
        return ProposalResult.ok(closeExpired(r.nowMillis()));
    }

    private List<ProposalStatus> closeExpired(long nowMillis) {
        List<ProposalStatus> closed = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (Proposal p : List.copyOf(proposals.values())) {
            if (p.decision() == Decision.OPEN && nowMillis >= p.deadlineMillis() && done.add(p.proposalId())) {
                Proposal c = closeAtDeadline(p);
                proposals.put(c.proposalId(), c);
                closed.add(c.status());
            }
        }
        return closed;
    }

    private static Proposal closeAtDeadline(Proposal p) {
        return p.with(p.eligible(), p.votes(), Decision.REJECTED, p.deadlineMillis(),
                "deadline passed without reaching the threshold");
    }

    /** Decides an open proposal as soon as the outcome is certain. */
    private static Proposal evaluate(Proposal p, long nowMillis) {
        Tally t = p.tally();
        if (t.eligible() == 0) {
            return p.with(p.eligible(), p.votes(), Decision.REJECTED, nowMillis, "no eligible voters left");
        }
        int needed = p.needed();
        if (t.approve() >= needed) {
            return p.with(p.eligible(), p.votes(), Decision.APPROVED, nowMillis,
                    t.approve() + " of " + t.eligible() + " approved (needed " + needed + ")");
        }
        int undecided = t.eligible() - t.approve() - t.reject();
        if (t.approve() + undecided < needed) {
            return p.with(p.eligible(), p.votes(), Decision.REJECTED, nowMillis,
                    "approval can no longer reach " + needed + " of " + t.eligible());
        }
        return p;
    }
}

package org.agentmesh.proposals;

/**
 * The ledger refused a command (a second vote, a bad signature, a decided proposal, ...): {@code reason} is the
 * ledger's, {@code field} the request field it is about.
 */
public final class CommandRefused extends RuntimeException {

    /** Why, in HTTP terms: the vote conflicts with the ledger's state, its signature is not the agent's, or the input is invalid. */
    public enum Kind { CONFLICT, FORBIDDEN, INVALID }

    private final Kind kind;
    private final String field;

    public CommandRefused(Kind kind, String field, String reason) {
        super(reason);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    public String field() {
        return field;
    }

    /** Classifies a refusal reason of {@link ProposalLedger}. */
    public static RuntimeException of(String proposalId, String reason) {
        if (reason.startsWith("no proposal")) {
            return new ProposalNotFound(proposalId);
        }
        if (reason.startsWith("bad signature")) {
            return new CommandRefused(Kind.FORBIDDEN, "signature", reason);
        }
        if (reason.contains("already voted") || reason.contains("is already") || reason.contains("past its deadline")
                || reason.contains("exists") || reason.contains("not an eligible voter")) {
            return new CommandRefused(Kind.CONFLICT, reason.contains("exists") ? "id" : "agentId", reason);
        }
        return new CommandRefused(Kind.INVALID, "proposal", reason);
    }
}

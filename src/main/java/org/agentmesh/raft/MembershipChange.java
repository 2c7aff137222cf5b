package org.agentmesh.raft;

import org.agentmesh.serialization.CborSerializable;

/** A single-server membership change: one node added, promoted or removed at a time. */
public record MembershipChange(Kind kind, String node) implements CborSerializable {

    public enum Kind { ADD_VOTER, ADD_LEARNER, PROMOTE_LEARNER, REMOVE }

    public static MembershipChange addVoter(String node) {
        return new MembershipChange(Kind.ADD_VOTER, node);
    }

    public static MembershipChange addLearner(String node) {
        return new MembershipChange(Kind.ADD_LEARNER, node);
    }

    public static MembershipChange promoteLearner(String node) {
        return new MembershipChange(Kind.PROMOTE_LEARNER, node);
    }

    public static MembershipChange remove(String node) {
        return new MembershipChange(Kind.REMOVE, node);
    }
}

package org.agentmesh.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.agentmesh.serialization.CborSerializable;

/**
 * A cluster configuration: the voters (who elect leaders and whose majority commits) and the learners (who receive the
 * log but neither vote nor count for commit). Both lists are kept sorted and free of duplicates, so equal
 * configurations are equal records and iteration order is deterministic. A node is never both voter and learner.
 */
public record Membership(List<String> voters, List<String> learners) implements CborSerializable {

    public Membership {
        TreeSet<String> v = new TreeSet<>(voters);
        TreeSet<String> l = new TreeSet<>(learners);
        l.removeAll(v);
        voters = List.copyOf(v);
        learners = List.copyOf(l);
    }

    public static Membership ofVoters(String... voters) {
        return new Membership(List.of(voters), List.of());
    }

    public boolean hasVoter(String id) {
        return voters.contains(id);
    }

    public boolean hasLearner(String id) {
        return learners.contains(id);
    }

    public boolean hasMember(String id) {
        return hasVoter(id) || hasLearner(id);
    }

    /** Size of a majority of the voters. */
    public int quorum() {
        return voters.size() / 2 + 1;
    }

    /** Voters and learners, voters first. */
    public List<String> members() {
        List<String> all = new ArrayList<>(voters.size() + learners.size());
        all.addAll(voters);
        all.addAll(learners);
        return all;
    }

    /** The configuration after {@code change}; throws {@link IllegalArgumentException} if the change does not apply. */
    public Membership with(MembershipChange change) {
        List<String> v = new ArrayList<>(voters);
        List<String> l = new ArrayList<>(learners);
        switch (change.kind()) {
            case ADD_VOTER -> {
                if (hasVoter(change.node())) {
                    throw new IllegalArgumentException(change.node() + " is already a voter");
                }
                l.remove(change.node());
                v.add(change.node());
            }
            case ADD_LEARNER -> {
                if (hasMember(change.node())) {
                    throw new IllegalArgumentException(change.node() + " is already a member");
                }
                l.add(change.node());
            }
            case PROMOTE_LEARNER -> {
                if (!hasLearner(change.node())) {
                    throw new IllegalArgumentException(change.node() + " is not a learner");
                }
                l.remove(change.node());
                v.add(change.node());
            }
            case REMOVE -> {
                if (!hasMember(change.node())) {
                    throw new IllegalArgumentException(change.node() + " is not a member");
                }
                v.remove(change.node());
                l.remove(change.node());
                if (v.isEmpty()) {
                    throw new IllegalArgumentException("cannot remove the last voter");
                }
            }
        }
        return new Membership(v, l);
    }
}

package org.agentmesh.raft;

import org.agentmesh.serialization.CborSerializable;

/** Where a snapshot stands in the log: the last index and term it covers and the configuration at that index. */
public record SnapshotMeta(long index, long term, Membership membership) implements CborSerializable {}

/**
 * The mesh memory: a namespaced key-value store of JSON values with versions, TTLs and compare-and-set, kept as a
 * deterministic {@link org.agentmesh.raft.StateMachine} that Raft replicates ({@link org.agentmesh.memory.MemoryStore}),
 * with its commands, results, CBOR codec and the input rules the interfaces share.
 */
package org.agentmesh.memory;

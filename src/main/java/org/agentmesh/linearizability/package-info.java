/**
 * Checking recorded histories for linearizability: a Wing &amp; Gong / Lowe search with memoization and per-key
 * partitioning ({@link org.agentmesh.linearizability.LinearizabilityChecker}), the mesh memory's sequential
 * specification ({@link org.agentmesh.linearizability.KeyValueModel}) and a thread-safe
 * {@link org.agentmesh.linearizability.HistoryRecorder} for multi-node tests. Test tooling, used by no production path.
 */
package org.agentmesh.linearizability;

/**
 * Failure detection and partition handling as pure, deterministic cores: {@link org.agentmesh.failure.FailureDetectorCore}
 * (SWIM with Lifeguard refinements and quorum confirmation of failures), {@link org.agentmesh.failure.PartitionDetectorCore}
 * (majority rule with hysteresis: NORMAL or READ_ONLY) and {@link org.agentmesh.failure.WriteGuard}. Actor shells drive them;
 * the {@code sim} package drives them in tests.
 */
package org.agentmesh.failure;

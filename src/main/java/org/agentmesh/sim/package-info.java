/**
 * Deterministic simulation: virtual time ({@link org.agentmesh.sim.Simulation}) and a network that delays, drops,
 * duplicates, reorders and partitions messages and crashes nodes ({@link org.agentmesh.sim.SimNetwork}).
 * Protocol cores are pure, so a test drives hundreds of them here in one thread, reproducibly by seed.
 */
package org.agentmesh.sim;

/**
 * Practical Byzantine Fault Tolerance (Castro and Liskov, OSDI'99) as pure deterministic state machines: the replica
 * ({@link org.agentmesh.pbft.PbftCore}) and the client ({@link org.agentmesh.pbft.PbftClient}), their signed messages
 * ({@link org.agentmesh.pbft.PbftMessage}) over a canonical encoding, and pluggable authentication (Ed25519 with a
 * {@link org.agentmesh.pbft.KeyRing}, or a fast HMAC stand-in for large simulations). Actor shells live elsewhere.
 */
package org.agentmesh.pbft;

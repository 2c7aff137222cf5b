/**
 * Gossip: membership, rumors, aggregates and the overlay of a swarm, as a pure state machine
 * ({@link org.agentmesh.gossip.GossipCore}) that an actor shell drives.
 *
 * <ul>
 *   <li>Views: one versioned {@link org.agentmesh.gossip.PeerEntry} per peer, reconciled by push-pull anti-entropy
 *       ({@link org.agentmesh.gossip.GossipMessage}: digest, reply, push) every round.</li>
 *   <li>Rumors: events ({@link org.agentmesh.gossip.RumorKind}) piggybacked on gossip messages with a bounded send
 *       budget, delivered once per peer.</li>
 *   <li>Aggregates: push-sum mean load, mean latency and agent count, restarted by epochs
 *       ({@link org.agentmesh.gossip.AggregateEstimate}).</li>
 *   <li>Overlay: an {@link org.agentmesh.gossip.OverlayTopology} derived identically by every peer from its view;
 *       {@link org.agentmesh.gossip.MeshOverlay} is 2-vertex-connected with 3-5 links per peer.</li>
 * </ul>
 * Simulation harness and benchmark: {@code org.agentmesh.bench.GossipSimCluster}, {@code GossipSimulationBench}.
 */
package org.agentmesh.gossip;

/**
 * Raft as a pure, deterministic core ({@link org.agentmesh.raft.RaftCore}) in the etcd-raft style; storage, transport,
 * timers and the state machine live outside, in the driver (the actor shell, or the simulation harness in tests).
 *
 * <h2>Driving the core</h2>
 * <ul>
 *   <li>Build it from what storage holds: {@code new RaftCore(id, RaftConfig, DurableState, RandomGenerator, now)};
 *       restore the {@link org.agentmesh.raft.StateMachine} from {@code DurableState.snapshot()} first.</li>
 *   <li>{@link org.agentmesh.raft.RaftCore#step(RaftInput, long)} with every
 *       {@link org.agentmesh.raft.RaftMessage} from a peer and every {@link org.agentmesh.raft.LocalInput} (propose,
 *       change membership, transfer leadership, read index, snapshot taken);
 *       {@link org.agentmesh.raft.RaftCore#tick(long)} every ~10 ms.</li>
 *   <li>After each input (or a batch of them), {@link org.agentmesh.raft.RaftCore#ready()} and carry out the
 *       {@link org.agentmesh.raft.Ready}: persist (snapshot, entries, hard state) <em>before</em> sending its
 *       messages, then apply its committed entries, then deliver its outcomes. Readies are handled strictly in
 *       order.</li>
 * </ul>
 *
 * <h2>What goes over the wire or to disk</h2>
 * {@link org.agentmesh.raft.RaftMessage} (sealed, Jackson type names), {@link org.agentmesh.raft.LogEntry} with its
 * {@link org.agentmesh.raft.EntryPayload} (an opaque {@code byte[]} command, a no-op, a configuration),
 * {@link org.agentmesh.raft.HardState}, {@link org.agentmesh.raft.Snapshot}: all records, all
 * {@link org.agentmesh.serialization.CborSerializable}, no nulls ({@code ""} means "no node").
 *
 * <h2>Not thread-safe</h2>
 * A core belongs to one driver (one actor); it never blocks and never calls back.
 */
package org.agentmesh.raft;

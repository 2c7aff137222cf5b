/**
 * Task scheduling cores, pure and deterministic: where a task goes ({@link org.agentmesh.strategy.AssignmentStrategy}:
 * capability routing, auction, consistent-hash DHT, round-robin and random baselines), how idle agents take queued work
 * from busy peers ({@link org.agentmesh.strategy.WorkStealingCore}), and how queued tasks migrate from hot to cold agents
 * ({@link org.agentmesh.strategy.LoadBalancerCore}).
 *
 * <p>No clocks, threads, actors or hidden randomness: a {@link java.util.random.RandomGenerator} is passed in, and the
 * cores answer with outputs (messages to send, tasks to start, migrations) that an actor shell carries out.
 * {@link org.agentmesh.strategy.SchedulingSimulation} runs all of them on {@link org.agentmesh.sim.Simulation} virtual time.
 */
package org.agentmesh.strategy;

/**
 * Helpers for code outside actors that talks to actors: {@link org.agentmesh.actor.Asks}, an ask whose callbacks run
 * where the answer arrives instead of on a thread of {@code ForkJoinPool.commonPool()}.
 */
package org.agentmesh.actor;

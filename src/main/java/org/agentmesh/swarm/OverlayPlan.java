package org.agentmesh.swarm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.agentmesh.gossip.MeshOverlay;

/**
 * The answer of topology_optimize: the overlay links the agents' gossip members actually held before, and after they
 * re-planned over the live agents, with the connectivity numbers of both graphs.
 *
 * @param agents live agents the plan covers (active, and their gossip member answered)
 * @param changed whether any agent's links changed
 */
public record OverlayPlan(String swarmId, int minLinks, int maxLinks, List<String> agents, Graph before, Graph after,
        boolean changed) {

    /**
     * One overlay graph over the live agents.
     *
     * @param links              undirected links between live agents, each once, sorted
     * @param danglingLinks      links (as held by an agent) to agents that are not live
     * @param asymmetricLinks    links held by one end only
     * @param articulationPoints agents whose loss would cut the graph (none when 2-vertex-connected)
     */
    public record Graph(List<List<String>> links, int danglingLinks, int asymmetricLinks, int minDegree, int maxDegree,
            double meanDegree, boolean connected, boolean twoVertexConnected, List<String> articulationPoints) {

        /** Measures the graph of {@code held} (agent -> the links it holds) over the agents of {@code live}. */
        public static Graph of(Map<String, ? extends Collection<String>> held, Collection<String> live) {
            TreeSet<String> vertices = new TreeSet<>(live);
            Map<String, SortedSet<String>> graph = new TreeMap<>();
            TreeSet<List<String>> links = new TreeSet<>((a, b) -> a.get(0).equals(b.get(0))
                    ? a.get(1).compareTo(b.get(1)) : a.get(0).compareTo(b.get(0)));
            int dangling = 0;
            int asymmetric = 0;
            for (String v : vertices) {
                graph.put(v, new TreeSet<>());
            }
            for (String v : vertices) {
                Collection<String> mine = held.get(v);
                for (String w : mine == null ? List.<String>of() : mine) {
                    if (!vertices.contains(w) || w.equals(v)) {
                        dangling++;
                        continue;
                    }
                    Collection<String> theirs = held.get(w);
                    if (theirs == null || !theirs.contains(v)) {
                        asymmetric++;
                    }
                    graph.get(v).add(w);
                    graph.get(w).add(v);
                    links.add(v.compareTo(w) < 0 ? List.of(v, w) : List.of(w, v));
                }
            }
            int min = Integer.MAX_VALUE;
            int max = 0;
            long sum = 0;
            for (SortedSet<String> n : graph.values()) {
                min = Math.min(min, n.size());
                max = Math.max(max, n.size());
                sum += n.size();
            }
            int n = graph.size();
            return new Graph(new ArrayList<>(links), dangling, asymmetric, n == 0 ? 0 : min, max,
                    n == 0 ? 0 : (double) sum / n, MeshOverlay.isConnected(graph),
                    n >= 3 && MeshOverlay.isTwoVertexConnected(graph), List.copyOf(MeshOverlay.articulationPoints(graph)));
        }
    }
}

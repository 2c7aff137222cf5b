package org.agentmesh.gossip;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The mesh overlay: peers sorted by id form a ring, peer {@code i} links to {@code i +- 1 .. i +- t/2}
 * (a circulant graph), and for an odd target degree {@code t} also to its antipode {@code i + n/2}.
 * The target degree is 4 clamped to [minLinks, maxLinks].
 *
 * <p>Why this shape: a purely local random choice does not guarantee 2-connectivity. The ring alone is a Hamiltonian
 * cycle, so the graph is 2-vertex-connected for n >= 3 (any two peers have two vertex-disjoint paths); the extra
 * offsets add redundancy and shorten paths. When a peer fails, its neighbours' windows shift over the sorted live
 * list, which replaces the lost links. Fewer than {@code t + 2} peers get the complete graph.
 *
 * <p>Also holds the graph checks used by tests and dashboards: connectivity and 2-vertex-connectivity.
 */
public final class MeshOverlay implements OverlayTopology {

    private final int minLinks;
    private final int maxLinks;
    private final int target;

    public MeshOverlay(int minLinks, int maxLinks) {
        if (minLinks < 2 || maxLinks < minLinks) {
            throw new IllegalArgumentException("need 2 <= minLinks <= maxLinks, was " + minLinks + ".." + maxLinks);
        }
        if (minLinks == maxLinks && minLinks % 2 == 1) {
            throw new IllegalArgumentException("minLinks == maxLinks must be even, was " + minLinks);
        }
        this.minLinks = minLinks;
        this.maxLinks = maxLinks;
        int t = Math.max(minLinks, Math.min(maxLinks, 4));
        // an odd target leaves one peer at t - 1 when n is odd; never go below minLinks for it
        if (t % 2 == 1 && t - 1 < minLinks) {
            t = t + 1 <= maxLinks ? t + 1 : t;
        }
        this.target = t;
    }

    public static MeshOverlay of(GossipConfig config) {
        return new MeshOverlay(config.minLinks(), config.maxLinks());
    }

    public int minLinks() {
        return minLinks;
    }

    public int maxLinks() {
        return maxLinks;
    }

    /** The degree every peer gets when there are enough peers. */
    public int targetDegree() {
        return target;
    }

    @Override
    public SortedSet<String> linksOf(String self, List<String> sortedLive) {
        int n = sortedLive.size();
        int i = Collections.binarySearch(sortedLive, self);
        if (i < 0) {
            return Collections.emptySortedSet();
        }
        TreeSet<String> links = new TreeSet<>();
        if (n - 1 <= target) {
            for (String peer : sortedLive) {
                if (!peer.equals(self)) {
                    links.add(peer);
                }
            }
            return Collections.unmodifiableSortedSet(links);
        }
        // n >= target + 2, so every offset below is < n/2 and the links are distinct
        for (int d = 1; d <= target / 2; d++) {
            links.add(sortedLive.get(Math.floorMod(i + d, n)));
            links.add(sortedLive.get(Math.floorMod(i - d, n)));
        }
        if (target % 2 == 1) {
            if (n % 2 == 0) {
                links.add(sortedLive.get((i + n / 2) % n));
            } else {
                // pair up the first n - 1 peers antipodally within them; the last one stays at target - 1
                int m = n - 1;
                if (i < m) {
                    links.add(sortedLive.get((i + m / 2) % m));
                }
            }
        }
        return Collections.unmodifiableSortedSet(links);
    }

    /** Whether every vertex reaches every other (an empty or single-vertex graph counts as connected). */
    public static boolean isConnected(Map<String, ? extends Collection<String>> graph) {
        Map<String, List<String>> adj = undirected(graph);
        if (adj.size() <= 1) {
            return true;
        }
        String start = adj.keySet().iterator().next();
        java.util.Set<String> seen = new java.util.HashSet<>();
        ArrayDeque<String> queue = new ArrayDeque<>();
        queue.add(start);
        seen.add(start);
        while (!queue.isEmpty()) {
            for (String w : adj.get(queue.poll())) {
                if (seen.add(w)) {
                    queue.add(w);
                }
            }
        }
        return seen.size() == adj.size();
    }

    /** Whether the graph stays connected after removing any one vertex (and is connected); needs >= 3 vertices. */
    public static boolean isTwoVertexConnected(Map<String, ? extends Collection<String>> graph) {
        if (graph.size() < 3) {
            return false;
        }
        return isConnected(graph) && articulationPoints(graph).isEmpty();
    }

    /** Whether the graph is symmetric: a link from a to b implies one from b to a, and links point into the graph. */
    public static boolean isSymmetric(Map<String, ? extends Collection<String>> graph) {
        for (Map.Entry<String, ? extends Collection<String>> e : graph.entrySet()) {
            for (String to : e.getValue()) {
                Collection<String> back = graph.get(to);
                if (back == null || !back.contains(e.getKey())) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Vertices whose removal disconnects the graph (Hopcroft-Tarjan low-link), iterative so that large graphs do
     * not overflow the stack. Links are treated as undirected.
     */
    public static SortedSet<String> articulationPoints(Map<String, ? extends Collection<String>> graph) {
        Map<String, List<String>> adj = undirected(graph);
        Map<String, Integer> disc = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        TreeSet<String> cut = new TreeSet<>();
        int time = 0;
        for (String root : adj.keySet()) {
            if (disc.containsKey(root)) {
                continue;
            }
            // frame: vertex, parent, index of next neighbour to visit
            ArrayDeque<Object[]> stack = new ArrayDeque<>();
            disc.put(root, time);
            low.put(root, time);
            time++;
            stack.push(new Object[] {root, null, 0});
            int rootChildren = 0;
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                String v = (String) frame[0];
                String parent = (String) frame[1];
                int next = (Integer) frame[2];
                List<String> neighbours = adj.get(v);
                if (next < neighbours.size()) {
                    frame[2] = next + 1;
                    String w = neighbours.get(next);
                    if (!disc.containsKey(w)) {
                        disc.put(w, time);
                        low.put(w, time);
                        time++;
                        if (v.equals(root)) {
                            rootChildren++;
                        }
                        stack.push(new Object[] {w, v, 0});
                    } else if (!w.equals(parent)) {
                        low.put(v, Math.min(low.get(v), disc.get(w)));
                    }
                } else {
                    stack.pop();
                    if (parent != null) {
                        low.put(parent, Math.min(low.get(parent), low.get(v)));
                        if (!parent.equals(root) && low.get(v) >= disc.get(parent)) {
                            cut.add(parent);
                        }
                    }
                }
            }
            if (rootChildren > 1) {
                cut.add(root);
            }
        }
        return cut;
    }

    private static Map<String, List<String>> undirected(Map<String, ? extends Collection<String>> graph) {
        Map<String, TreeSet<String>> sets = new HashMap<>();
        for (String v : graph.keySet()) {
            sets.computeIfAbsent(v, k -> new TreeSet<>());
        }
        for (Map.Entry<String, ? extends Collection<String>> e : graph.entrySet()) {
            for (String w : e.getValue()) {
                if (w.equals(e.getKey()) || !graph.containsKey(w)) {
                    continue;
                }
                sets.get(e.getKey()).add(w);
                sets.get(w).add(e.getKey());
            }
        }
        Map<String, List<String>> adj = new java.util.TreeMap<>();
        sets.forEach((k, v) -> adj.put(k, List.copyOf(v)));
        return adj;
    }
}

package org.agentmesh.gossip;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * How peers are linked. An implementation is a pure function of the sorted live set: every peer derives the same
 * graph from its own view, so links converge as views converge and no negotiation is needed.
 */
public interface OverlayTopology {

    /**
     * The links of {@code self}.
     *
     * @param sortedLive the live peer ids, sorted ascending, {@code self} included
     */
    SortedSet<String> linksOf(String self, List<String> sortedLive);

    /** The whole graph over {@code sortedLive}, for tests and dashboards. */
    default Map<String, SortedSet<String>> graph(List<String> sortedLive) {
        Map<String, SortedSet<String>> graph = new LinkedHashMap<>();
        for (String peer : sortedLive) {
            graph.put(peer, linksOf(peer, sortedLive));
        }
        return graph;
    }
}

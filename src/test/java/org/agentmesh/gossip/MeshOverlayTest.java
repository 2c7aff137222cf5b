package org.agentmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MeshOverlayTest {

    private static List<String> peers(SplittableRandom random, int n) {
        // random ids, so positions in the sorted order are not the creation order
        TreeSet<String> ids = new TreeSet<>();
        while (ids.size() < n) {
            ids.add("agent-" + Long.toHexString(random.nextLong()));
        }
        return new ArrayList<>(ids);
    }

    private static void checkMesh(MeshOverlay mesh, List<String> sortedLive, String context) {
        Map<String, SortedSet<String>> g = mesh.graph(sortedLive);
        int n = sortedLive.size();
        int lo = Math.min(mesh.minLinks(), n - 1);
        for (Map.Entry<String, SortedSet<String>> e : g.entrySet()) {
            int d = e.getValue().size();
            assertTrue(d >= lo && d <= mesh.maxLinks(), context + ": degree of " + e.getKey() + " is " + d);
            assertFalse(e.getValue().contains(e.getKey()), context + ": self link");
            assertTrue(sortedLive.containsAll(e.getValue()), context + ": link to a non-live peer");
        }
        assertTrue(MeshOverlay.isSymmetric(g), context + ": links not symmetric");
        assertTrue(MeshOverlay.isTwoVertexConnected(g), context + ": not 2-vertex-connected, cut vertices "
                + MeshOverlay.articulationPoints(g));
    }

    @Test
    void randomLiveSetsWithFailuresGiveBoundedDegreeAndTwoVertexConnectivity() {
        MeshOverlay mesh = new MeshOverlay(3, 5);
        int checked = 0;
        for (long seed = 1; seed <= 300; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            int n = 4 + random.nextInt(197);
            List<String> live = peers(random, n);
            checkMesh(mesh, live, "seed " + seed + ", n=" + n);
            // random failures, down to 4 survivors
            int failures = random.nextInt(n - 3);
            List<String> survivors = new ArrayList<>(live);
            Collections.shuffle(survivors, new java.util.Random(seed));
            List<String> failed = new ArrayList<>(survivors.subList(0, failures));
            survivors = new ArrayList<>(new TreeSet<>(survivors.subList(failures, survivors.size())));
            checkMesh(mesh, survivors, "seed " + seed + ", n=" + n + " after " + failures + " failures");
            for (String s : survivors) {
                for (String f : failed) {
                    assertFalse(mesh.linksOf(s, survivors).contains(f), "seed " + seed + ": link to failed " + f);
                }
            }
            checked++;
        }
        assertEquals(300, checked);
    }

    @Test
    void otherDegreeBoundsAreHonouredToo() {
        int[][] bounds = {{3, 3 + 1}, {2, 2}, {4, 4}, {5, 7}, {3, 5}, {6, 10}};
        for (int[] b : bounds) {
            MeshOverlay mesh = new MeshOverlay(b[0], b[1]);
            for (int n = 4; n <= 60; n++) {
                checkMesh(mesh, peers(new SplittableRandom(n), n), "links " + b[0] + ".." + b[1] + ", n=" + n);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new MeshOverlay(3, 3));
        assertThrows(IllegalArgumentException.class, () -> new MeshOverlay(1, 4));
    }

    @Test
    void graphChecksRecogniseCutVerticesAndDisconnection() {
        Map<String, Set<String>> path = new TreeMap<>();
        path.put("a", Set.of("b"));
        path.put("b", Set.of("a", "c"));
        path.put("c", Set.of("b"));
        assertTrue(MeshOverlay.isConnected(path));
        assertFalse(MeshOverlay.isTwoVertexConnected(path));
        assertEquals(Set.of("b"), MeshOverlay.articulationPoints(path));

        Map<String, Set<String>> cycle = new TreeMap<>();
        cycle.put("a", Set.of("b", "d"));
        cycle.put("b", Set.of("a", "c"));
        cycle.put("c", Set.of("b", "d"));
        cycle.put("d", Set.of("c", "a"));
        assertTrue(MeshOverlay.isTwoVertexConnected(cycle));

        // two triangles sharing vertex c: c is a cut vertex
        Map<String, Set<String>> bowtie = new HashMap<>();
        bowtie.put("a", Set.of("b", "c"));
        bowtie.put("b", Set.of("a", "c"));
        bowtie.put("c", Set.of("a", "b", "d", "e"));
        bowtie.put("d", Set.of("c", "e"));
        bowtie.put("e", Set.of("c", "d"));
        assertTrue(MeshOverlay.isConnected(bowtie));
        assertEquals(Set.of("c"), MeshOverlay.articulationPoints(bowtie));

        Map<String, Set<String>> split = new TreeMap<>();
        split.put("a", Set.of("b"));
        split.put("b", Set.of("a"));
        split.put("c", Set.of("d"));
        split.put("d", Set.of("c"));
        assertFalse(MeshOverlay.isConnected(split));
        assertFalse(MeshOverlay.isTwoVertexConnected(split));
    }

    @Test
    void largeOverlayIsCheckedWithoutStackOverflow() {
        MeshOverlay mesh = new MeshOverlay(3, 5);
        List<String> live = peers(new SplittableRandom(5), 20_000);
        assertTrue(MeshOverlay.isTwoVertexConnected(mesh.graph(live)));
    }
}

package org.agentmesh.failure;

/** Reads values out of a node's Prometheus text ({@code MeshMetrics.scrape()}) for tests. */
final class Scrape {

    private Scrape() {}

    /** The sum of every sample of {@code name} whose labels contain each of {@code labels} (e.g. {@code swarm="rec"}); 0 if none. */
    static double sum(String text, String name, String... labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            String head = line.substring(0, line.lastIndexOf(' '));
            boolean matches = true;
            for (String l : labels) {
                matches &= head.contains(l);
            }
            if (matches) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}

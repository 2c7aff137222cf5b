package org.agentmesh.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Path segments from user input, percent-encoded so that an id can never change the path it goes to. */
final class Paths {
    private Paths() {}

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

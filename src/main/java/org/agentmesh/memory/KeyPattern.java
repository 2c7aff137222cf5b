package org.agentmesh.memory;

/**
 * A key search pattern. With a wildcard ({@code *} = any run of characters, {@code ?} = one character) it must match
 * the whole key (a glob); without one it matches keys that contain it (a substring). The empty pattern matches all.
 */
public record KeyPattern(String pattern) {

    public KeyPattern {
        MemoryLimits.requireValidPattern(pattern);
    }

    public boolean isGlob() {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
    }

    public boolean matches(String key) {
        return isGlob() ? glob(pattern, key) : key.contains(pattern);
    }

    // Greedy matcher with one backtrack point: linear in practice, no regex (so no catastrophic backtracking).
    private static boolean glob(String p, String s) {
        int pi = 0;
        int si = 0;
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}

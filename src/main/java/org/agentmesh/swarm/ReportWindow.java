package org.agentmesh.swarm;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time window a performance report measures its history over: {@code all} (the swarm's whole task history) or the
 * last {@code <n>s|m|h|d} (e.g. {@code 1m}, {@code 5m}, {@code 1h}), at most 30 days.
 */
public record ReportWindow(String label, Optional<Duration> length) {

    public static final ReportWindow ALL = new ReportWindow("all", Optional.empty());

    private static final Pattern FORM = Pattern.compile("([1-9][0-9]{0,6})([smhd])");
    private static final Duration MAX = Duration.ofDays(30);

    /** Parses {@code text}; a bad one is an {@link InvalidInput} naming {@code field}. */
    public static ReportWindow parse(String field, String text) {
        if (text == null || text.equals("all")) {
            return ALL;
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new InvalidInput(field, field + " must be 'all' or a number with a unit s, m, h or d (e.g. 1m, 5m, 1h), was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(MAX) > 0) {
            throw new InvalidInput(field, field + " must be at most 30d, was '" + text + "'");
        }
        return new ReportWindow(text, Optional.of(d));
    }

    /** The first instant inside the window (0 for {@code all}). */
    long fromMillis(long nowMillis) {
        return length.map(d -> nowMillis - d.toMillis()).orElse(0L);
    }
}

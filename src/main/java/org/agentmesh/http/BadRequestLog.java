package org.agentmesh.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts refused requests (4xx) and summarizes them in the log at most once per interval, so a client hammering the
 * API with garbage is visible to operators without one log line per request.
 */
final class BadRequestLog {

    private static final Logger log = LoggerFactory.getLogger(BadRequestLog.class);

    private final long intervalNanos;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong sinceLastLog = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime());
    private final AtomicReference<String> lastExample = new AtomicReference<>("");

    BadRequestLog(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    void record(int status, String detail) {
        total.incrementAndGet();
        sinceLastLog.incrementAndGet();
        lastExample.set(status + " " + (detail.length() > 120 ? detail.substring(0, 120) + "..." : detail));
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= intervalNanos && lastLogNanos.compareAndSet(last, now)) {
            long n = sinceLastLog.getAndSet(0);
            log.info("{} bad requests in the last {} s ({} since start); last: {}", n,
                    Math.round((now - last) / 1e9), total.get(), lastExample.get());
        }
    }

    long total() {
        return total.get();
    }
}

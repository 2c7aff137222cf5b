package org.agentmesh.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** reference.conf documents the same defaults the records use, so a shell reading the config gets what the tests measured. */
class FailureConfigDefaultsTest {

    private static long ms(Config c, String path) {
        return c.getDuration(path, TimeUnit.MILLISECONDS);
    }

    @Test
    void referenceConfMatchesTheRecordDefaults() {
        Config fd = ConfigFactory.defaultReference().getConfig("agent-mesh.failure-detector");
        FailureDetectorConfig fromConf = new FailureDetectorConfig(ms(fd, "probe-interval"), ms(fd, "timeout"),
                fd.getInt("indirect-probes"), ms(fd, "helper-min-wait"), ms(fd, "suspicion-min"), ms(fd, "suspicion-max"),
                fd.getDouble("quorum-fraction"), fd.getInt("min-confirmations"), ms(fd, "liveness-timeout"),
                fd.getInt("max-piggyback"), fd.getInt("retransmit-multiplier"));
        assertEquals(FailureDetectorConfig.defaults(), fromConf);

        Config pd = ConfigFactory.defaultReference().getConfig("agent-mesh.partition");
        assertEquals(PartitionDetectorConfig.defaults(), new PartitionDetectorConfig(pd.getDouble("majority-fraction"),
                ms(pd, "enter-read-only-after"), ms(pd, "exit-read-only-after")));
    }
}

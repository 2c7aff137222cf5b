package org.agentmesh.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulingSettingsTest {

    @Test
    void referenceConfHoldsTheSeedDefaults() {
        SchedulingSettings s = SchedulingSettings.from(ConfigFactory.load());
        assertEquals(AssignmentConfig.DEFAULT, s.assignment());
        assertEquals(WorkStealingConfig.DEFAULT, s.stealing());
        assertEquals(LoadBalancerConfig.DEFAULT, s.balancer());
        assertEquals(Duration.ofMillis(100), s.stealTickInterval());
        assertEquals(Duration.ofSeconds(2), s.balancerInterval());
    }

    @Test
    void badValuesAreRefusedNamingTheSection() {
        var bad = ConfigFactory.parseString("agent-mesh.scheduling.auction-weights.load = 0.5")
                .withFallback(ConfigFactory.load());
        var e = assertThrows(IllegalArgumentException.class, () -> SchedulingSettings.from(bad));
        assertTrue(e.getMessage().startsWith("agent-mesh.scheduling: auction weights must sum to 1"), e.getMessage());
        var inverted = ConfigFactory.parseString("agent-mesh.scheduling.balancer.cold-threshold = 0.9")
                .withFallback(ConfigFactory.load());
        assertThrows(IllegalArgumentException.class, () -> SchedulingSettings.from(inverted));
    }
}

package io.berth.gc.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesGoStyleDaysAndIso() {
        assertEquals(Duration.ofDays(7), Durations.parse("168h"));
        assertEquals(Duration.ofDays(7), Durations.parse("7d"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ofHours(1), Durations.parse("PT1H"));
        for (String bad : new String[] {"", "7", "h", "1x", "1h 2m", "-1h", "PTX"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
    }
}

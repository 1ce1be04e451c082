package io.berth.core.coordination;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a gc marker's writer is known to be gone, so that the next run need not wait for it. */
class GcPresenceTest {
    private static final String SPACE = GcPresence.processSpace();

    @Test
    void aMarkerWhoseProcessExitedIsADeadOnesOnThisMachineOnly() throws Exception {
        assertNotNull(SPACE, "Linux /proc gives the boot id and pid namespace");
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            byte[] marker = GcPresence.describe("berth gc", Instant.now(), p.toHandle(), SPACE);
            assertFalse(GcPresence.writerIsGone(marker, SPACE), "its writer is running");
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertTrue(GcPresence.writerIsGone(marker, SPACE), "its writer was killed");
            // seen from another machine, container or boot, the pid means nothing: unknown
            assertFalse(GcPresence.writerIsGone(marker, SPACE + "-elsewhere"));
            assertFalse(GcPresence.writerIsGone(marker, null));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aLiveProcessIsAliveAndOldOrUnreadableMarkersAreNeverTakenForDead() {
        assertFalse(GcPresence.writerIsGone(GcPresence.describe("berth gc", Instant.now()), SPACE), "this JVM");
        // markers written before the space was recorded, or by hand
        assertFalse(GcPresence.writerIsGone(bytes("{\"process\":\"berth gc\",\"host\":\"h\",\"pid\":999999999}"), SPACE));
        assertFalse(GcPresence.writerIsGone(bytes("not json"), SPACE));
        assertFalse(GcPresence.writerIsGone(bytes("{\"pid\":\"12\",\"started\":\"x\",\"space\":\"" + SPACE + "\"}"), SPACE));
    }

    @Test
    void aPidReusedByAnotherProcessDoesNotKeepADeadGcAlive() {
        ProcessHandle self = ProcessHandle.current();
        String marker = "{\"process\":\"berth gc\",\"pid\":" + self.pid() + ",\"started\":\"2001-01-01T00:00:00Z\","
                + "\"space\":\"" + SPACE + "\"}";
        assertTrue(GcPresence.writerIsGone(bytes(marker), SPACE), "same pid, another start time");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

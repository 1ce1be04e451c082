package io.berth.storage.inmemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.core.storage.FileWriter;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Uploads of hundreds of MiB must append in linear time (growable chunks, no array copying). */
class InMemoryLargeFileTest {

    @Test
    @Timeout(60)
    void appendsHundredsOfMebibytesAcrossReopens() throws Exception {
        InMemoryDriver driver = new InMemoryDriver();
        byte[] chunk = new byte[64 * 1024 + 3];
        long total = 0;
        for (int reopen = 0; reopen < 4; reopen++) {
            try (FileWriter w = driver.writer("/big", true)) {
                assertEquals(total, w.size());
                for (int i = 0; i < 1000; i++) {
                    chunk[0] = (byte) i;
                    w.write(chunk);
                    total += chunk.length;
                }
                if (reopen == 3) {
                    w.commit();
                }
            }
        }
        assertEquals(total, driver.stat("/big").size());
        long offset = total - 2 * chunk.length; // the second-to-last chunk written: i == 998
        try (InputStream in = driver.reader("/big", offset)) {
            assertEquals((byte) 998, (byte) in.read());
            assertEquals(2L * chunk.length - 1, in.transferTo(java.io.OutputStream.nullOutputStream()));
        }
    }

    @Test
    void nameIsInmemory() {
        assertEquals("inmemory", new InMemoryDriver().name());
    }
}

package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * go-containerregistry's crane (a second real client) against Berth on the filesystem; the same
 * round trip runs on every object store in {@code CloudServeContract}. What crane wrote is then
 * checked on disk: every blob hashes to its path, and the layers are linked in both repositories.
 */
class CraneTest {
    @TempDir
    Path tmp;

    @Test
    void craneBuildsCopiesValidatesExportsAndDeletes() throws Exception {
        Path root = tmp.resolve("store");
        CraneRoundTrip.Result r;
        try (BerthServer berth = BerthServer.start(root)) {
            r = CraneRoundTrip.run(berth.hostPort(), "crane", Files.createDirectories(tmp.resolve("work")), 3 * 1024 * 1024);
        }
        StorageChecks.assertEveryBlobHashesToItsPath(root);
        for (String layer : r.layers()) {
            StorageChecks.assertLink(StorageChecks.layerLink(root, "crane/app", layer), layer);
            assertTrue(Files.exists(StorageChecks.layerLink(root, "crane/copy", layer)), "mounted into crane/copy: " + layer);
        }
    }
}

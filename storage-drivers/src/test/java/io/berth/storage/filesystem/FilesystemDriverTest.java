package io.berth.storage.filesystem;

import io.berth.core.storage.StorageDriver;
import io.berth.storage.DriverTestSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared suite against a fresh directory per test. */
class FilesystemDriverTest extends DriverTestSuite {
    @TempDir
    Path tmp;

    @Override
    protected StorageDriver newDriver() throws Exception {
        // A root that does not exist yet: the driver must create it on the first write.
        return new FilesystemDriver(Files.createTempDirectory(tmp, "root").resolve("registry"));
    }
}

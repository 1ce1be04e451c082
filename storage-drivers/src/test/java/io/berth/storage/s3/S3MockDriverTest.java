package io.berth.storage.s3;

import io.berth.core.storage.StorageDriver;
import io.berth.storage.DriverTestSuite;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared suite against S3Mock: a fresh bucket per test, no rootdirectory (keys are the paths).
 *
 * <p>S3Mock overwrites an object by rewriting its one data file in place, so a GET racing a PUT of
 * the same key (concurrentPutContentOfOnePathNeverMixes) can get a torn mix of two values, or
 * headers promising more bytes than the rewritten file has, after which the response stalls
 * forever. The driver detects the first (getContent checks the bytes against Content-Length and
 * the MD5 ETag, and reads again); for the second it needs a socket read timeout short enough
 * for the retry to fit the test's deadline, hence 3 s here instead of the default 60 s.
 */
class S3MockDriverTest extends DriverTestSuite {
    private static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.shared(S3TestServer.Kind.S3MOCK);
    }

    @Override
    protected boolean walkReportsContentMd5() {
        return true;
    }

    @Override
    protected StorageDriver newDriver() {
        return new S3Driver(S3DriverParameters.from(server.driverParameters(server.createBucket(), null)),
                Duration.ofSeconds(3));
    }
}

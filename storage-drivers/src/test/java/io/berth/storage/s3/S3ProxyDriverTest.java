package io.berth.storage.s3;

import io.berth.core.storage.StorageDriver;
import io.berth.storage.DriverTestSuite;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared suite against s3proxy's filesystem-nio2 backend: a fresh bucket per test, under a
 * rootdirectory whose name has a '-' (which sorts before '/' and so tests the walk's reordering
 * does not look inside the root prefix).
 */
class S3ProxyDriverTest extends DriverTestSuite {
    private static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.shared(S3TestServer.Kind.S3PROXY);
    }

    @Override
    protected boolean walkReportsContentMd5() {
        return true;
    }

    @Override
    protected StorageDriver newDriver() {
        return S3Driver.fromParameters(server.driverParameters(server.createBucket(), "/berth-root/registry/"));
    }
}

package io.berth.storage.s3;

import org.junit.jupiter.api.BeforeAll;

/** The S3-specific behaviour against S3Mock. */
class S3MockBehaviourTest extends S3DriverBehaviour {
    private static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.shared(S3TestServer.Kind.S3MOCK);
    }

    @Override
    protected S3TestServer server() {
        return server;
    }
}

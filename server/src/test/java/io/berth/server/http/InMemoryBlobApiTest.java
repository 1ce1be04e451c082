package io.berth.server.http;

import java.nio.file.Path;

/** {@link BlobApiTest} on the in-memory driver. */
class InMemoryBlobApiTest extends BlobApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.inMemory();
    }
}

package io.berth.server.http;

import java.nio.file.Path;

/** {@link UploadApiTest} on the in-memory driver. */
class InMemoryUploadApiTest extends UploadApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.inMemory();
    }
}

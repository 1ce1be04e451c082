package io.berth.server.http;

import java.nio.file.Path;

/** {@link ManifestApiTest} on the in-memory driver. */
class InMemoryManifestApiTest extends ManifestApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.inMemory();
    }
}

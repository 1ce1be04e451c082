package io.berth.server.http;

import java.nio.file.Path;

/** {@link DeleteApiTest} on the in-memory driver. */
class InMemoryDeleteApiTest extends DeleteApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.inMemory();
    }
}

package io.berth.server.http;

import java.nio.file.Path;

/** {@link ListApiTest} on the in-memory driver. */
class InMemoryListApiTest extends ListApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.inMemory();
    }
}

package io.berth.server.http;

import java.nio.file.Path;

/** {@link ConcurrencyApiTest} on the in-memory driver. */
class InMemoryConcurrencyApiTest extends ConcurrencyApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.inMemory();
    }
}

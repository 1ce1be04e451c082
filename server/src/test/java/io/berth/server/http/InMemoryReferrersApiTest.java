package io.berth.server.http;

import java.nio.file.Path;

/** {@link ReferrersApiTest} on the in-memory driver. */
class InMemoryReferrersApiTest extends ReferrersApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.inMemory();
    }
}

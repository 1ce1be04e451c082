package io.berth.server.http;

import java.nio.file.Path;

/** {@link DeleteApiTest} with the blob descriptor cache on, which must never answer from stale entries. */
class CachedDeleteApiTest extends DeleteApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.filesystemWithDescriptorCache(dir);
    }
}

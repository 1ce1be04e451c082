package io.berth.server.http;

import java.nio.file.Path;

/** {@link ManifestApiTest} with the blob descriptor cache on, which must never answer from stale entries. */
class CachedManifestApiTest extends ManifestApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.filesystemWithDescriptorCache(dir);
    }
}

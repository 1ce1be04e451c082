package io.berth.server.http;

import java.nio.file.Path;

/** {@link BlobApiTest} with the blob descriptor cache on, which must never answer from stale entries. */
class CachedBlobApiTest extends BlobApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.filesystemWithDescriptorCache(dir);
    }
}

package io.berth.server.http;

import java.nio.file.Path;

/** {@link UploadApiTest} with the blob descriptor cache on, which must never answer from stale entries. */
class CachedUploadApiTest extends UploadApiTest {
    @Override
    TestServer newServer(Path dir) throws Exception {
        return TestServer.filesystemWithDescriptorCache(dir);
    }
}

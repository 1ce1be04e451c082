package io.berth.migrate.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.layout.PathLayout;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob over the S3 chunk size is streamed up as a multipart upload straight to its key and
 * completed only once its digest checked out: on S3Mock, whose ETags show the part count, the
 * 17 MiB layer is a 2-part object (chunksize 10 MiB), and nothing was staged under _uploads.
 */
class S3MultipartCopyTest {
    @TempDir
    Path tmp;

    @Test
    void largeBlobIsAMultipartUploadCommittedInPlace() throws Exception {
        FilesystemDriver source = new FilesystemDriver(tmp.resolve("src"));
        SampleStore sample = SampleStore.build(source);
        S3TestServer server = S3TestServer.shared(S3TestServer.Kind.S3MOCK);
        String bucket = server.createBucket();
        Map<String, Object> params = server.driverParameters(bucket, "/mp");
        try (StorageDriver s3 = S3Driver.fromParameters(params)) {
            CopyReport r = new StoreCopier(source, s3, new CopyOptions(2, false, null, true)).run(null);
            assertTrue(r.clean(), () -> CopyRoundTripTest.json(r));
            assertEquals(Trees.of(source), Trees.of(s3));
            String key = "mp" + PathLayout.blobData(sample.bigLayer);
            String etag = server.admin().headObject(b -> b.bucket(bucket).key(key)).eTag();
            assertTrue(etag.endsWith("-2\""), "a 2-part multipart ETag, got " + etag);
            assertTrue(server.admin().listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty(),
                    "no upload left behind");
            assertTrue(server.admin().listObjectsV2(b -> b.bucket(bucket)).contents().stream()
                    .noneMatch(o -> o.key().contains("/_uploads/")), "nothing staged");
        }
    }
}

package io.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.core.storage.FileWriter;
import io.berth.core.storage.PathNotFoundException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The registry asks an upload's size with stat between PATCHes, possibly on another instance; on
 * S3 the bytes of a writer closed without commit sit in an unfinished multipart upload that
 * HeadObject does not see. stat of an upload data file must count them, as the writer does.
 */
class S3UploadStatTest {
    private static final int MIB = 1024 * 1024;

    @ParameterizedTest
    @EnumSource(S3TestServer.Kind.class)
    void statOfUploadDataCountsTheUploadInProgress(S3TestServer.Kind kind) throws Exception {
        S3TestServer server = S3TestServer.shared(kind);
        String bucket = server.createBucket();
        String data = "/docker/registry/v2/repositories/a/b/_uploads/0b7e7c43-5b1c-4a8e-9f7a-2d1e3c4b5a69/data";
        String other = "/docker/registry/v2/blobs/sha256/ab/cd/data";
        byte[] content = new byte[MIB + 3 + 6 * MIB + 2 * MIB + 5];
        new Random(5).nextBytes(content);
        int[] chunks = {MIB + 3, 6 * MIB, 2 * MIB + 5};
        try (S3Driver first = S3Driver.fromParameters(server.driverParameters(bucket, "/root"));
             S3Driver second = S3Driver.fromParameters(server.driverParameters(bucket, "/root"))) {
            first.putContent(data, new byte[0]); // as UploadStore.start does
            assertEquals(0, first.stat(data).size());
            int offset = 0;
            for (int i = 0; i < chunks.length; i++) {
                S3Driver d = i % 2 == 0 ? first : second; // alternate instances
                try (FileWriter w = d.writer(data, true)) {
                    assertEquals(offset, w.size());
                    w.write(content, offset, chunks[i]);
                }
                offset += chunks[i];
                assertEquals(offset, first.stat(data).size(), "stat after chunk " + (i + 1));
                assertEquals(offset, second.stat(data).size(), "stat on the other instance after chunk " + (i + 1));
            }
            try (FileWriter w = second.writer(data, true)) {
                w.commit();
            }
            assertEquals(content.length, first.stat(data).size());
            try (InputStream in = first.reader(data, 0)) {
                assertArrayEquals(content, in.readAllBytes());
            }
            // other paths: a writer left open is not counted (and not looked for)
            try (FileWriter w = first.writer(other, false)) {
                w.write(Arrays.copyOf(content, MIB));
            }
            assertThrows(PathNotFoundException.class, () -> first.stat(other), "nothing committed at " + other);
        }
    }
}

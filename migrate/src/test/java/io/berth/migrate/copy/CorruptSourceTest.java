package io.berth.migrate.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.layout.PathLayout;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.StorageDriver;
import io.berth.migrate.copy.CopyReport.Problem;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3TestServer;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A source blob with one flipped byte is reported and never appears at the destination, not
 * even as a leftover upload (S3: not even as an unfinished multipart upload); the manifests that need it, the index above them and the tags on
 * those are not written, while everything else is. Once the source is repaired, the next pass
 * completes the copy.
 */
class CorruptSourceTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3proxy"})
    void corruptBlobIsReportedAndNothingThatNeedsItIsWritten(String kind) throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("src"));
        SampleStore s = SampleStore.build(src);
        // one blob small enough to be stored in one put, one streamed (staged on a file, in place on S3)
        Path layer = src.localFile(PathLayout.blobData(s.arm64Layer)).orElseThrow();
        Path bigLayer = src.localFile(PathLayout.blobData(s.bigLayer)).orElseThrow();
        assertTrue(Files.size(layer) <= BlobCopier.SMALL && Files.size(bigLayer) > BlobCopier.SMALL);
        flip(layer, 1000);
        flip(bigLayer, 15_000_000);

        StorageDriver dst = kind.equals("filesystem") ? new FilesystemDriver(tmp.resolve("dst")) : s3();
        try (dst) {
            CopyReport r = new StoreCopier(src, dst, new CopyOptions(3, false, null, false)).run(null);
            String json = CopyRoundTripTest.json(r);
            assertFalse(r.clean(), json);
            String app = SampleStore.APP.value();
            assertEquals(Set.of(
                    new Problem(Problem.Kind.CORRUPT_BLOB, app, PathLayout.blobData(s.arm64Layer), null),
                    new Problem(Problem.Kind.SKIPPED_MANIFEST, app, PathLayout.revisionLink(SampleStore.APP, s.arm64), null),
                    new Problem(Problem.Kind.SKIPPED_MANIFEST, app, PathLayout.revisionLink(SampleStore.APP, s.index), null),
                    new Problem(Problem.Kind.SKIPPED_TAG, app, PathLayout.tagCurrentLink(SampleStore.APP, Tag.of("v1")), null),
                    new Problem(Problem.Kind.SKIPPED_TAG, app, PathLayout.tagCurrentLink(SampleStore.APP, Tag.of("stable")), null),
                    new Problem(Problem.Kind.CORRUPT_BLOB, app, PathLayout.blobData(s.bigLayer), null),
                    new Problem(Problem.Kind.SKIPPED_MANIFEST, app, PathLayout.revisionLink(SampleStore.APP, s.big), null),
                    new Problem(Problem.Kind.SKIPPED_TAG, app, PathLayout.tagCurrentLink(SampleStore.APP, Tag.of("big")), null)),
                    r.problems().stream().map(p -> new Problem(p.kind(), p.repository(), p.path(), null))
                            .collect(Collectors.toSet()), json);
            assertTrue(r.problems().get(0).reason().contains("hash to sha256:"), json);

            // nothing of it at the destination: no blob, no link, no staged upload
            Registry there = new Registry(dst);
            assertTrue(there.blobs().stat(s.arm64Layer).isEmpty(), "the corrupt blob is not visible");
            List<String> files = allFiles(dst);
            assertTrue(files.stream().noneMatch(p -> p.contains(s.arm64Layer.hex()) || p.contains(s.bigLayer.hex())),
                    "neither data nor link: " + files);
            assertTrue(files.stream().noneMatch(p -> p.contains("/_uploads/")), "no leftover upload: " + files);
            if (server != null) {
                assertTrue(server.admin().listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty());
            }
            Repository appThere = there.repository(SampleStore.APP);
            assertFalse(appThere.manifests().exists(s.arm64));
            assertFalse(appThere.manifests().exists(s.index));
            assertTrue(appThere.tags().list().stream().noneMatch(t -> t.value().equals("v1") || t.value().equals("stable")),
                    "the index's tags are not written, not even their history");
            // everything else is
            assertTrue(appThere.manifests().exists(s.amd64));
            assertTrue(appThere.manifests().exists(s.signature), "a referrer does not need its subject");
            assertTrue(appThere.tags().resolve(Tag.of("big")).isEmpty());
            assertEquals(s.alpineNew, there.repository(SampleStore.ALPINE).tags().resolve(Tag.of("latest")).orElseThrow());

            // repaired at the source: the next pass copies what was held back, and only that
            flip(layer, 1000);
            flip(bigLayer, 15_000_000);
            CopyReport again = new StoreCopier(src, dst, new CopyOptions(3, false, null, true)).run(null);
            json = CopyRoundTripTest.json(again);
            assertTrue(again.clean(), json);
            assertEquals(2, again.blobsCopied(), json);
            assertEquals(3, again.manifestsCopied(), json);
            assertEquals(3, again.tagsCopied(), json);
            assertEquals(Trees.of(src), Trees.of(dst));
        }
    }

    private S3TestServer server;
    private String bucket;

    private StorageDriver s3() throws Exception {
        server = S3TestServer.shared(S3TestServer.Kind.S3PROXY);
        bucket = server.createBucket();
        return S3Driver.fromParameters(server.driverParameters(bucket, "/corrupt"));
    }

    static void flip(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x01);
        }
    }

    /** Every file, uploads included. */
    static List<String> allFiles(StorageDriver d) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try {
            d.walk("/", info -> {
                if (!info.isDirectory()) {
                    out.add(info.path());
                }
                return io.berth.core.storage.WalkVisitor.Result.CONTINUE;
            });
        } catch (io.berth.core.storage.PathNotFoundException e) {
            // empty
        }
        return out;
    }
}

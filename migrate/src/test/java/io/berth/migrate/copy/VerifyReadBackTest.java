package io.berth.migrate.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.WalkVisitor;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With verify, a blob the destination stores wrongly (here: a real filesystem store whose
 * files for one blob get a byte flipped once in place, as bad disks and buggy gateways do) is
 * caught on read-back, deleted, reported, and nothing that needs it is linked. Without verify
 * the same fault goes unnoticed, which is what the option is for.
 */
class VerifyReadBackTest {
    @TempDir
    Path tmp;

    @Test
    void readBackCatchesADestinationThatStoresOtherBytes() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("src"));
        SampleStore s = SampleStore.build(src);
        for (Digest victim : List.of(s.arm64Layer, s.bigLayer)) { // stored by putContent, and by writer + move
            Path dstRoot = tmp.resolve("dst-" + victim.hex());
            FlippingDriver dst = new FlippingDriver(new FilesystemDriver(dstRoot), PathLayout.blobData(victim));
            CopyReport r = new StoreCopier(src, dst, new CopyOptions(2, false, null, true)).run(null);
            String json = CopyRoundTripTest.json(r);
            assertFalse(r.clean(), json);
            assertEquals(1, r.verifyFailures().size(), json);
            assertEquals(PathLayout.blobData(victim), r.verifyFailures().get(0).path());
            assertTrue(r.verifyFailures().get(0).reason().contains("hashing to"), json);
            Registry there = new Registry(dst);
            assertTrue(there.blobs().stat(victim).isEmpty(), "the bad copy is deleted");
            assertFalse(there.repository(SampleStore.APP).tags().resolve(Tag.of(victim.equals(s.bigLayer) ? "big" : "v1"))
                    .isPresent(), "the tag needing it is not written");
            assertTrue(there.repository(SampleStore.ALPINE).tags().resolve(Tag.of("latest")).isPresent());
        }

        FlippingDriver unchecked = new FlippingDriver(new FilesystemDriver(tmp.resolve("unchecked")),
                PathLayout.blobData(s.bigLayer));
        CopyReport r = new StoreCopier(src, unchecked, new CopyOptions(2, false, null, false)).run(null);
        assertTrue(r.clean(), "without verify the fault is not seen");
        assertNotEquals(Trees.hash(src, PathLayout.blobData(s.bigLayer)), Trees.hash(unchecked, PathLayout.blobData(s.bigLayer)));
    }

    /** A filesystem store that flips one byte of the file at {@code victim} the first time it is written there. */
    static final class FlippingDriver implements StorageDriver {
        private final FilesystemDriver fs;
        private final String victim;
        private boolean flipped;

        FlippingDriver(FilesystemDriver fs, String victim) {
            this.fs = fs;
            this.victim = victim;
        }

        private synchronized void afterWrite(String path) throws IOException {
            if (path.equals(victim) && !flipped) {
                flipped = true;
                try {
                    CorruptSourceTest.flip(fs.localFile(path).orElseThrow(), 7);
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }

        @Override
        public String name() {
            return fs.name();
        }

        @Override
        public byte[] getContent(String path) throws IOException {
            return fs.getContent(path);
        }

        @Override
        public void putContent(String path, byte[] content) throws IOException {
            fs.putContent(path, content);
            afterWrite(path);
        }

        @Override
        public InputStream reader(String path, long offset) throws IOException {
            return fs.reader(path, offset);
        }

        @Override
        public FileWriter writer(String path, boolean append) throws IOException {
            return fs.writer(path, append);
        }

        @Override
        public FileInfo stat(String path) throws IOException {
            return fs.stat(path);
        }

        @Override
        public List<String> list(String path) throws IOException {
            return fs.list(path);
        }

        @Override
        public void move(String sourcePath, String destPath) throws IOException {
            fs.move(sourcePath, destPath);
            afterWrite(destPath);
        }

        @Override
        public void delete(String path) throws IOException {
            fs.delete(path);
        }

        @Override
        public void walk(String path, WalkVisitor visitor) throws IOException {
            fs.walk(path, visitor);
        }

        @Override
        public Optional<Path> localFile(String path) {
            return fs.localFile(path);
        }
    }
}

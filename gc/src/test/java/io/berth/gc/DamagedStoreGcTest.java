package io.berth.gc;

import static io.berth.gc.Fixtures.blob;
import static io.berth.gc.Fixtures.image;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gc on stores damaged by hand, by a half-finished copy or by a disk: where it cannot read a
 * repository as the layout says, it keeps all that repository holds and says why, and it refuses
 * to run on a store without its {@code repositories/} or {@code blobs/}. Each case here once lost a
 * tagged image (found by damaging copies of a store and pulling every image after gc).
 */
class DamagedStoreGcTest {
    @TempDir
    Path tmp;
    Path dir;
    FilesystemDriver drv;
    Fixtures.Img tagged;
    Digest dangling;
    Digest elsewhere;

    /** acme/app:v1 (to be damaged) and acme/ok, whose unused blob shows gc still collects elsewhere. */
    void push() throws IOException {
        push(tmp);
    }

    void push(Path root) throws IOException {
        dir = root;
        drv = new FilesystemDriver(dir);
        Registry reg = new Registry(drv);
        Repository app = reg.repository(RepositoryName.of("acme/app"));
        tagged = image(app, "1", "v1", null);
        dangling = blob(app, "pushed, never used by a manifest");
        Repository ok = reg.repository(RepositoryName.of("acme/ok"));
        image(ok, "2", "v1", null);
        elsewhere = blob(ok, "unused in a healthy repository");
    }

    Path v2() {
        return dir.resolve(PathLayout.ROOT.substring(1));
    }

    Path file(String layoutPath) {
        return dir.resolve(layoutPath.substring(1));
    }

    GcReport gc(boolean deleteUntagged) throws IOException {
        GcOptions o = GcOptions.defaults(4);
        return new GarbageCollector(drv, deleteUntagged ? o.withDeleteUntagged(true) : o)
                .clock(GarbageCollectorTest.LATER).run();
    }

    void assertTaggedImageKept(GcReport r) {
        Set<Digest> linked = new java.util.TreeSet<>(tagged.layers());
        linked.add(tagged.config());
        for (Digest d : linked) {
            assertTrue(Files.exists(file(PathLayout.blobData(d))), d + " deleted: " + r);
            assertTrue(Files.exists(file(PathLayout.layerLink(RepositoryName.of("acme/app"), d))), d + " unlinked");
        }
        assertTrue(Files.exists(file(PathLayout.blobData(dangling))), "nothing in the damaged repository is judged");
        assertFalse(Files.exists(file(PathLayout.blobData(elsewhere))), "the healthy repository is collected");
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("acme/app: nothing deleted")), r.notes().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"truncated", "empty", "missing", "other bytes"})
    void aManifestItCannotReadKeepsItsRepositoryWhole(String damage) throws IOException {
        for (boolean m : new boolean[] {false, true}) {
            push(tmp.resolve("m-" + m));
            Path data = file(PathLayout.blobData(tagged.manifest()));
            switch (damage) {
                case "truncated" -> Files.write(data, java.util.Arrays.copyOf(Files.readAllBytes(data), 40));
                case "empty" -> Files.write(data, new byte[0]);
                case "missing" -> Files.delete(data);
                default -> Files.writeString(data, "{\"schemaVersion\":2,\"mediaType\":"
                        + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + dangling + "\",\"size\":1},"
                        + "\"layers\":[]}");
            }
            assertTaggedImageKept(gc(m));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTagNamingNoRevisionKeepsItsRepositoryWhole(boolean deleteUntagged) throws IOException {
        push();
        Path revision = file(PathLayout.revisionLink(RepositoryName.of("acme/app"), tagged.manifest())).getParent();
        Files.delete(revision.resolve("link"));
        Files.delete(revision);
        GcReport r = gc(deleteUntagged);
        assertTaggedImageKept(r);
        assertTrue(Files.exists(file(PathLayout.blobData(tagged.manifest()))), "the manifest the tag names");
    }

    @ParameterizedTest
    @ValueSource(strings = {"_manifests/tags", "_manifests"})
    void aFileWhereADirectoryBelongsKeepsItsRepositoryWhole(String where) throws IOException {
        push();
        Path p = v2().resolve("repositories/acme/app/" + where);
        deleteTree(p);
        Files.writeString(p, "not a directory");
        GcReport r = gc(true);
        for (Digest d : tagged.blobs()) {
            assertTrue(Files.exists(file(PathLayout.blobData(d))), d + " deleted: " + r);
        }
        assertTrue(Files.exists(file(PathLayout.blobData(tagged.manifest()))));
        if (where.equals("_manifests")) {
            // its revisions cannot be listed: any unlinked blob may be one of its manifests
            assertTrue(Files.exists(file(PathLayout.blobData(elsewhere))), "no blob deleted");
            assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("no blob deleted")), r.notes().toString());
        } else {
            assertFalse(Files.exists(file(PathLayout.blobData(elsewhere))), "the healthy repository is collected");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"UPPER", "acme/a..b"})
    void linksUnderAnInvalidRepositoryNameKeepTheirBlobs(String name) throws IOException {
        push();
        Files.move(v2().resolve("repositories/acme/app"), v2().resolve("repositories/" + name));
        GcReport r = gc(true);
        for (Digest d : Set.copyOf(tagged.blobs())) {
            assertTrue(Files.exists(file(PathLayout.blobData(d))), d + " deleted: " + r);
        }
        assertTrue(Files.exists(file(PathLayout.blobData(tagged.manifest()))));
        assertFalse(Files.exists(file(PathLayout.blobData(elsewhere))));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aStoreWithoutRepositoriesIsRefused(boolean asFile) throws IOException {
        push();
        Path p = v2().resolve("repositories");
        deleteTree(p);
        if (asFile) {
            Files.writeString(p, "x");
        }
        IOException e = assertThrows(IOException.class, () -> gc(false));
        assertTrue(e.getMessage().contains("repositories"), e.getMessage());
        for (Digest d : tagged.blobs()) {
            assertTrue(Files.exists(file(PathLayout.blobData(d))), "nothing deleted");
        }
    }

    /** Without blobs/ every manifest is unreadable: each repository that has one is kept whole. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aStoreWithoutBlobsKeepsEveryLinkOfItsManifests(boolean deleteUntagged) throws IOException {
        push();
        deleteTree(v2().resolve("blobs"));
        GcReport r = gc(deleteUntagged);
        for (Digest d : new java.util.TreeSet<>(tagged.layers())) {
            assertTrue(Files.exists(file(PathLayout.layerLink(RepositoryName.of("acme/app"), d))), d + " unlinked");
        }
        assertTrue(Files.exists(file(PathLayout.layerLink(RepositoryName.of("acme/app"), tagged.config()))));
        assertTrue(Files.exists(file(PathLayout.revisionLink(RepositoryName.of("acme/app"), tagged.manifest()))));
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("acme/app: nothing deleted")), r.notes().toString());
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

package io.berth.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.core.storage.StorageDriver;
import io.berth.migrate.MigrationReport.TagStatus;
import io.berth.migrate.v1.Anomaly;
import io.berth.migrate.v1.TarBytes;
import io.berth.migrate.v1.V1Fixtures;
import io.berth.migrate.v1.V1StoreBuilder;
import io.berth.migrate.v1.V1StoreBuilder.Checksum;
import io.berth.migrate.v1.V1StoreBuilder.Stored;
import io.berth.migrate.v1.V2Image;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** V1 → V2 on the filesystem driver, against stores the generator builds. */
class V1MigrationTest {
    @TempDir
    Path tmp;

    static V1Migration.Options options(V2Image.Format format, boolean lowercase, String... globs) {
        return new V1Migration.Options(2, false, new RepositoryGlob(List.of(globs)), format, lowercase, false,
                V2Image.EmptyLayers.KEEP, true);
    }

    private MigrationReport migrate(StorageDriver src, StorageDriver dst, Path state, V1Migration.Options o)
            throws IOException {
        try (JobState js = JobState.open(state)) {
            return new V1Migration(src, "src", dst, "dst", o).run(js);
        }
    }

    @Test
    void normalStoreMigratesEveryTagWithExactLayersAndDiffIds() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 1);
        List<V1Fixtures.Expected> expected = V1Fixtures.normalStore(b, 20_000);
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("v2"));
        MigrationReport r = migrate(src, dst, tmp.resolve("state.db"), options(V2Image.Format.DOCKER, false));

        assertTrue(r.complete(), () -> "skipped: " + r.tags());
        assertEquals(expected.size(), r.summary().tagsMigrated(), () -> "tags: " + r.tags());
        for (V1Fixtures.Expected e : expected) {
            MigratedImages.assertMigrated(dst, b, e, MediaTypes.DOCKER_MANIFEST);
        }
        // shared V1 images give the same blobs in every repository
        Registry reg = new Registry(dst);
        Digest baseLatest = reg.repository(RepositoryName.of("base")).tags().resolve(Tag.of("latest")).orElseThrow();
        assertEquals(baseLatest, reg.repository(RepositoryName.of("base")).tags().resolve(Tag.of("1.0")).orElseThrow(),
                "two tags on one V1 image share one manifest");
        assertEquals(baseLatest, reg.repository(RepositoryName.of("team/sub/app")).tags().resolve(Tag.of("latest")).orElseThrow());
        // the spec's anomalies of a normal store are information, and the _beta metadata file is no tag
        assertTrue(r.anomalies().stream().anyMatch(a -> a.kind() == Anomaly.Kind.TAG_METADATA_COLLISION));
        assertTrue(r.anomalies().stream().noneMatch(a -> a.severity() == Anomaly.Severity.E), () -> "" + r.anomalies());
        assertTrue(r.anomalies().stream().anyMatch(a -> a.kind() == Anomaly.Kind.ESCAPED_NAME
                && a.severity() == Anomaly.Severity.W && "team/sub/app".equals(a.repository())));
        // nothing left in _uploads, and every blob hashes to its path
        try (Stream<Path> s = Files.walk(tmp.resolve("v2"))) {
            assertTrue(s.noneMatch(p -> p.toString().contains("_uploads/")), "staging uploads cleaned up");
        }
        for (Map.Entry<String, String> f : MigratedImages.tree(dst).entrySet()) {
            io.berth.core.layout.PathLayout.digestOfBlobData(f.getKey())
                    .ifPresent(d -> assertEquals(d.toString(), f.getValue(), f.getKey()));
        }
        // the old docker image: x86_64 normalised, os defaulted
        assertEquals(r.layers().size(), b.images().size() - 0, "every V1 image of the store is a layer in the report");
    }

    @Test
    void ociFormatAndDeterminismAcrossFreshRuns() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 2);
        List<V1Fixtures.Expected> expected = V1Fixtures.normalStore(b, 5_000);
        FilesystemDriver one = new FilesystemDriver(tmp.resolve("one"));
        FilesystemDriver two = new FilesystemDriver(tmp.resolve("two"));
        assertTrue(migrate(src, one, tmp.resolve("s1.db"), options(V2Image.Format.OCI, false)).complete());
        assertTrue(migrate(src, two, tmp.resolve("s2.db"), options(V2Image.Format.OCI, false)).complete());
        for (V1Fixtures.Expected e : expected) {
            MigratedImages.assertMigrated(one, b, e, MediaTypes.OCI_MANIFEST);
        }
        assertEquals(MigratedImages.tree(one), MigratedImages.tree(two), "two fresh runs write identical stores");
    }

    @Test
    void rerunChangesNothingAndNewTagsAloneAreMigrated() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 3);
        List<V1Fixtures.Expected> expected = V1Fixtures.normalStore(b, 5_000);
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("v2"));
        Path state = tmp.resolve("state.db");
        MigrationReport first = migrate(src, dst, state, options(V2Image.Format.DOCKER, false));
        Map<String, String> before = MigratedImages.treeWithTimes(dst);
        Thread.sleep(20);
        MigrationReport again = migrate(src, dst, state, options(V2Image.Format.DOCKER, false));
        assertEquals(0, again.summary().tagsMigrated());
        assertEquals(expected.size(), again.summary().tagsUnchanged());
        assertEquals(0, again.summary().bytesRead(), "no layer read again");
        assertEquals(before, MigratedImages.treeWithTimes(dst), "a finished migration re-run changes nothing");

        String newTop = b.image().parent(expected.get(0).chain().get(1)).tar(b.layerTar(3000)).push();
        b.tag("team", "app3", "new", newTop);
        MigrationReport third = migrate(src, dst, state, options(V2Image.Format.DOCKER, false));
        assertEquals(1, third.summary().tagsMigrated());
        assertEquals(expected.size(), third.summary().tagsUnchanged());
        assertTrue(third.tags().stream().anyMatch(t -> t.tag().equals("new") && t.status() == TagStatus.MIGRATED));
        assertEquals(b.image(newTop).stored().length, third.summary().bytesRead(), "only the new image's layer is read");
        for (MigrationReport.TagResult t : first.tags()) {
            assertTrue(third.tags().stream().anyMatch(u -> u.tag().equals(t.tag()) && u.repository().equals(t.repository())
                    && u.manifest().equals(t.manifest())), "same manifests as the first run: " + t);
        }
    }

    @Test
    void stateFileOfAnotherMigrationIsRefused() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1Fixtures.normalStore(new V1StoreBuilder(src, 4), 1000);
        Path state = tmp.resolve("state.db");
        migrate(src, new FilesystemDriver(tmp.resolve("a")), state, options(V2Image.Format.DOCKER, false));
        try (JobState js = JobState.open(state)) {
            V1Migration other = new V1Migration(src, "src", new FilesystemDriver(tmp.resolve("b")), "elsewhere",
                    options(V2Image.Format.DOCKER, false));
            JobState.StateMismatchException e = org.junit.jupiter.api.Assertions.assertThrows(
                    JobState.StateMismatchException.class, () -> other.run(js));
            assertTrue(e.getMessage().contains("elsewhere"), e.getMessage());
        }
    }

    @Test
    void everyAnomalyIsReportedAndItsTagsSkipped() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 5);
        List<V1Fixtures.Expected> good = new ArrayList<>();
        List<V1Fixtures.ExpectedAnomaly> expected = V1Fixtures.anomalyStore(b, good);
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("v2"));
        MigrationReport r = migrate(src, dst, tmp.resolve("state.db"), options(V2Image.Format.DOCKER, false));

        for (V1Fixtures.ExpectedAnomaly x : expected) {
            assertTrue(r.anomalies().stream().anyMatch(a -> a.kind() == x.kind()
                            && java.util.Objects.equals(a.repository(), x.repository())
                            && (x.tag() == null || x.tag().equals(a.tag()))
                            && (x.imageId() == null || x.imageId().equals(a.imageId()))),
                    () -> "expected " + x + " in " + r.anomalies());
        }
        assertFalse(r.complete());
        for (V1Fixtures.Expected e : good) {
            MigratedImages.assertMigrated(dst, b, e, MediaTypes.DOCKER_MANIFEST);
        }
        Registry reg = new Registry(dst);
        for (MigrationReport.TagResult t : r.tags()) {
            if (t.status() == TagStatus.SKIPPED && t.repository() != null && Tag.isValid(t.tag())) {
                assertTrue(reg.repository(RepositoryName.of(t.repository())).tags().resolve(Tag.of(t.tag())).isEmpty(),
                        "skipped tag " + t + " must not exist in V2");
            }
        }
        long skipped = r.tags().stream().filter(t -> t.status() == TagStatus.SKIPPED).count();
        assertEquals(r.summary().tagsSkipped(), skipped);
        // no blob of a layer that failed its checks reached the destination
        for (V1Fixtures.ExpectedAnomaly x : expected) {
            if (x.imageId() != null && x.kind().name().startsWith("LAYER_")) {
                byte[] stored = b.image(x.imageId()).stored();
                if (stored.length > 0) {
                    assertTrue(reg.blobs().stat(Digest.sha256(stored)).isEmpty(), "bad layer " + x + " not migrated");
                }
            }
        }
    }

    @Test
    void lowercaseNamesMapsUpperCaseAndRefusesCollisions() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 6);
        String img = b.image().tar(b.layerTar(100)).push();
        b.tag("legacy", "OldApp", "latest", img);
        V1Fixtures.collidingNames(b, img);
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("v2"));
        MigrationReport r = migrate(src, dst, tmp.resolve("state.db"), options(V2Image.Format.DOCKER, true));
        MigratedImages.assertMigrated(dst, b, new V1Fixtures.Expected("legacy/OldApp", "legacy/oldapp", "latest", List.of(img)),
                MediaTypes.DOCKER_MANIFEST);
        assertTrue(r.anomalies().stream().anyMatch(a -> a.kind() == Anomaly.Kind.REPOSITORY_NAME_LOWERCASED
                && a.repository().equals("legacy/OldApp")));
        for (String twin : List.of("legacy/Twin", "legacy/TWIN")) {
            assertTrue(r.anomalies().stream().anyMatch(a -> a.kind() == Anomaly.Kind.REPOSITORY_NAME_COLLISION
                    && a.repository().equals(twin)), twin);
        }
        assertFalse(new Registry(dst).repository(RepositoryName.of("legacy/twin")).exists());
        assertEquals(2, r.summary().tagsSkipped());
    }

    @Test
    void repositoryGlobAndDryRun() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 7);
        V1Fixtures.normalStore(b, 1000);
        MigrationReport plan = new V1Migration(src, "src", null, "dst",
                new V1Migration.Options(2, true, new RepositoryGlob(List.of("team/*")), V2Image.Format.DOCKER, false, false,
                        V2Image.EmptyLayers.KEEP, true)).run(null);
        assertTrue(plan.dryRun());
        assertEquals(2, plan.summary().repositories(), "team/app1 and team/app2; team/sub/app needs **");
        assertTrue(plan.tags().stream().allMatch(t -> t.status() == TagStatus.PLANNED));
        assertTrue(plan.summary().bytes() > 0);
        assertFalse(Files.exists(tmp.resolve("dst")));

        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("v2"));
        MigrationReport r = migrate(src, dst, tmp.resolve("state.db"), options(V2Image.Format.DOCKER, false, "team/**"));
        assertEquals(4, r.summary().tagsMigrated(), () -> "" + r.tags());
        assertFalse(new Registry(dst).repository(RepositoryName.of("base")).exists());
    }

    @Test
    void compactPolicyDropsEmptyLayersIntoHistory() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 8);
        List<V1Fixtures.Expected> expected = V1Fixtures.normalStore(b, 1000);
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("v2"));
        migrate(src, dst, tmp.resolve("state.db"), new V1Migration.Options(2, false, new RepositoryGlob(List.of()),
                V2Image.Format.DOCKER, false, false, V2Image.EmptyLayers.DROP, true));
        Registry reg = new Registry(dst);
        V1Fixtures.Expected app1 = expected.get(2);
        Digest md = reg.repository(RepositoryName.of("team/app1")).tags().resolve(Tag.of("v1")).orElseThrow();
        var m = MigratedImages.JSON.readTree(reg.blobs().get(md));
        var config = MigratedImages.JSON.readTree(reg.blobs().get(Digest.parse(m.path("config").path("digest").asText())));
        int nonEmpty = 0;
        for (var h : config.path("history")) {
            nonEmpty += h.path("empty_layer").asBoolean(false) ? 0 : 1;
        }
        assertEquals(app1.chain().size(), config.path("history").size());
        assertEquals(nonEmpty, config.path("rootfs").path("diff_ids").size(), "history entries without empty_layer = diff_ids");
        assertEquals(nonEmpty, m.path("layers").size());
        assertNotEquals(app1.chain().size(), nonEmpty);
    }

    @Test
    void tarsumEraLayersAreVerifiedBeforeTheyAreWritten() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("v1"));
        V1StoreBuilder b = new V1StoreBuilder(src, 9);
        List<V1Fixtures.Expected> good = new ArrayList<>();
        byte[] rich = TarBytes.of(List.of(
                TarBytes.Entry.file("etc/", 040755, 1396838750, new byte[0]).type('5', "").owner(0, 0, "root", "root"),
                TarBytes.Entry.file("etc/motd", 0100644, 1396838750, "hello\n".getBytes(StandardCharsets.UTF_8))
                        .owner(0, 0, "root", "root"),
                TarBytes.Entry.file("bin/sh", 0120777, 1396838750, new byte[0]).type('2', "busybox"),
                TarBytes.Entry.file("x", 0100644, 1396838750, b.randomBytes(3000))
                        .gnuLongName("usr/share/" + "long/".repeat(30) + "name"),
                TarBytes.Entry.file("cap", 0100755, 1400260726, b.randomBytes(100))
                        .pax(Map.of("SCHILY.xattr.security.capability", new byte[] {1, 0, 0, 2, 0, '\n', 0, 0}))),
                TarBytes.Format.USTAR);
        String root = b.image().tarsumEra().tar(V1Fixtures.noEndMarker(rich)).push();
        String xz = b.image().tarsumEra().parent(root).tar(b.layerTar(5000)).stored(Stored.XZ)
                .checksum(Checksum.TARSUM_ONLY).push();
        String v1 = b.image().parent(xz).tar(b.layerTar(5000)).checksum(Checksum.TARSUM_V1).push();
        String dev = b.image().parent(v1).tar(b.layerTar(5000)).checksum(Checksum.TARSUM_DEV).push();
        b.tag("era", "ok", "latest", dev);
        good.add(new V1Fixtures.Expected("era/ok", "era/ok", "latest", List.of(root, xz, v1, dev)));
        // tarsum.v1 leaves mtime out: a layer re-serialized with other times still verifies
        byte[] layer = b.layerTar(4000);
        String retimed = b.image().tar(V1Fixtures.tamperMtime(layer)).checksumTar(layer).checksum(Checksum.TARSUM_V1).push();
        b.tag("era", "retimed", "latest", retimed);
        good.add(new V1Fixtures.Expected("era/retimed", "era/retimed", "latest", List.of(retimed)));

        // ...but not under v0, which hashes it; nor a changed file byte; nor a truncated layer
        byte[] t1 = b.layerTar(4000);
        String mtime = b.image().tarsumEra().tar(t1)
                .storedBytes(V1StoreBuilder.compress(V1Fixtures.tamperMtime(t1), Stored.GZIP)).push();
        byte[] t2 = b.layerTar(4000);
        String content = b.image().tarsumEra().tar(t2).checksum(Checksum.TARSUM_DEV)
                .storedBytes(V1StoreBuilder.compress(V1Fixtures.tamperContent(t2), Stored.GZIP)).push();
        byte[] t3 = b.layerTar(40_000);
        byte[] gz = V1StoreBuilder.compress(t3, Stored.GZIP);
        String truncated = b.image().tarsumEra().tar(t3).storedBytes(java.util.Arrays.copyOf(gz, gz.length - 100)).push();
        List<String> bad = List.of(mtime, content, truncated);
        for (String id : bad) {
            b.tag("era", "bad" + bad.indexOf(id), "latest", id);
        }
        String above = b.image().tarsumEra().parent(content).tar(b.layerTar(100)).push();
        b.tag("era", "bad1", "above", above);

        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("v2"));
        MigrationReport r = migrate(src, dst, tmp.resolve("state.db"), options(V2Image.Format.DOCKER, false));
        for (V1Fixtures.Expected e : good) {
            MigratedImages.assertMigrated(dst, b, e, MediaTypes.DOCKER_MANIFEST);
        }
        assertTrue(r.anomalies().stream().noneMatch(a -> a.kind() == Anomaly.Kind.CHECKSUM_UNVERIFIABLE_LEGACY
                || a.kind() == Anomaly.Kind.CHECKSUM_MISSING), () -> "every tarsum verified: " + r.anomalies());
        Registry reg = new Registry(dst);
        for (String id : bad) {
            String repo = "era/bad" + bad.indexOf(id);
            assertTrue(r.anomalies().stream().anyMatch(a -> a.kind() == Anomaly.Kind.LAYER_CHECKSUM_MISMATCH
                    && a.repository().equals(repo) && id.equals(a.imageId()) && a.detail().contains("tarsum")),
                    () -> repo + " reported: " + r.anomalies());
            assertTrue(reg.repository(RepositoryName.of(repo)).tags().resolve(Tag.of("latest")).isEmpty(), repo);
            assertTrue(reg.blobs().stat(Digest.sha256(b.image(id).stored())).isEmpty(), "no blob of " + repo);
        }
        assertTrue(r.anomalies().stream().anyMatch(a -> a.kind() == Anomaly.Kind.LAYER_CHECKSUM_MISMATCH
                && a.repository().equals("era/bad1") && "above".equals(a.tag()) && content.equals(a.imageId())));
        assertEquals(good.size(), r.summary().tagsMigrated(), () -> "" + r.tags());
        assertEquals(4, r.summary().tagsSkipped(), () -> "" + r.tags());
    }
}

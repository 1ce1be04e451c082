package io.berth.server.it.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


import com.fasterxml.jackson.databind.JsonNode;
import io.berth.migrate.v1.V1Fixtures;
import io.berth.migrate.v1.V1StoreBuilder;
import io.berth.server.it.BerthProcess;
import io.berth.server.it.DistributionRegistry;
import io.berth.server.it.Processes;
import io.berth.server.it.Skopeo;
import io.berth.server.it.TestImages;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated V1 store → {@code berth migrate} (a child JVM) → served by {@code berth serve} and
 * by distribution's {@code docker-registry} → every tag pulled by skopeo, unpacked by umoci, and
 * the config's diff_ids checked against the layers as decompressed.
 */
class V1MigrateEndToEndTest {
    @TempDir
    Path tmp;

    static Processes.Result migrate(String... args) {
        return BerthProcess.run(null, concat(new String[] {"migrate", "--quiet"}, args));
    }

    @Test
    void migratedStorePullsFromBerthAndDistribution() throws Exception {
        Path v1 = tmp.resolve("v1");
        Path v2 = tmp.resolve("v2");
        V1StoreBuilder b = new V1StoreBuilder(new FilesystemDriver(v1), 21);
        List<V1Fixtures.Expected> expected = V1Fixtures.normalStore(b, 100_000);
        Path report = tmp.resolve("report.json");
        Processes.Result r = migrate("--from", "file://" + v1, "--to", "file://" + v2, "--report", report.toString());
        assertEquals(0, r.exitCode(), r::describe);
        JsonNode rep = TestImages.readJson(report);
        assertEquals(expected.size(), rep.path("summary").path("tagsMigrated").asInt(), rep::toPrettyString);
        assertTrue(Files.exists(tmp.resolve("report.json.state.db")), "state next to the report");

        List<String> manifests = new ArrayList<>();
        try (BerthProcess berth = BerthProcess.start(v2, tmp.resolve("berth"))) {
            for (V1Fixtures.Expected e : expected) {
                try {
                    manifests.add(pullAndCheck(Skopeo.docker(berth.hostPort(), e.repository() + ":" + e.tag()),
                            tmp.resolve("berth-pull"), e, b));
                } catch (AssertionError failed) {
                    throw new AssertionError(failed.getMessage() + "\n--- Berth's log ---\n" + berth.logTail(), failed);
                }
            }
        }
        try (DistributionRegistry dist = DistributionRegistry.start(v2, tmp.resolve("dist"))) {
            for (int i = 0; i < expected.size(); i++) {
                V1Fixtures.Expected e = expected.get(i);
                String ref = Skopeo.docker(dist.hostPort(), e.repository() + ":" + e.tag());
                assertEquals(manifests.get(i), TestImages.sha256(Skopeo.inspectRawBytes(ref)), "same manifest from distribution");
                pullAndCheck(ref, tmp.resolve("dist-pull"), e, b);
            }
        }
    }

    /** Pulls into an OCI layout, checks layers, diff_ids and history, unpacks with umoci; returns the served manifest digest. */
    private String pullAndCheck(String ref, Path layout, V1Fixtures.Expected e, V1StoreBuilder b) throws IOException {
        String served = TestImages.sha256(Skopeo.inspectRawBytes(ref));
        JsonNode servedManifest = TestImages.parseJson(Skopeo.inspectRawBytes(ref));
        String ociTag = (e.repository() + "-" + e.tag()).replace('/', '-').replace("_", "u");
        Skopeo.copy(ref, Skopeo.oci(layout, ociTag));
        TestImages.Blob m = TestImages.resolveTag(layout, ociTag);
        List<String> layers = TestImages.layerDigests(layout, m.digest());
        assertEquals(TestImages.texts(servedManifest.path("layers"), "digest"), layers, "layer digests as migrated");
        JsonNode manifest = TestImages.readBlobJson(layout, m.digest());
        JsonNode config = TestImages.readBlobJson(layout, manifest.path("config").path("digest").asText());
        List<String> diffIds = TestImages.texts(config.path("rootfs").path("diff_ids"));
        assertEquals(e.chain().size(), layers.size());
        for (int i = 0; i < layers.size(); i++) {
            byte[] tar = gunzip(TestImages.readBlob(layout, layers.get(i)));
            assertEquals(TestImages.sha256(tar), diffIds.get(i), "diff_id = sha256 of the layer as decompressed");
            assertEquals("sha256:" + b.image(e.chain().get(i)).diffId(), diffIds.get(i));
        }
        assertEquals(e.chain().size(), config.path("history").size());
        Path bundle = layout.resolveSibling("bundle-" + ociTag + "-" + System.nanoTime());
        Processes.Result u = Processes.run(List.of("umoci", "unpack", "--rootless", "--image",
                layout.toAbsolutePath() + ":" + ociTag, bundle.toString()), null, Duration.ofMinutes(2));
        assertEquals(0, u.exitCode(), u::describe);
        assertTrue(Files.isDirectory(bundle.resolve("rootfs")), "umoci unpacked a rootfs");
        if (e.repository().equals("team/app2") && e.tag().equals("latest")) {
            assertEquals("plain tar from a script\n", Files.readString(bundle.resolve("rootfs/etc/motd")));
        }
        return served;
    }

    @Test
    void exitStatusReportAndDryRun() throws Exception {
        Path v1 = tmp.resolve("v1");
        V1StoreBuilder b = new V1StoreBuilder(new FilesystemDriver(v1), 22);
        List<V1Fixtures.Expected> good = new ArrayList<>();
        List<V1Fixtures.ExpectedAnomaly> anomalies = V1Fixtures.anomalyStore(b, good);

        Processes.Result plan = migrate("--from", "file://" + v1, "--to", "file://" + tmp.resolve("never"), "--dry-run",
                "--report", tmp.resolve("plan.json").toString());
        assertEquals(1, plan.exitCode(), plan::describe); // the plan already knows some tags cannot be migrated
        assertFalse(Files.exists(tmp.resolve("never")), "a dry run writes nothing");
        assertTrue(TestImages.readJson(tmp.resolve("plan.json")).path("dryRun").asBoolean());

        Path report = tmp.resolve("r.json");
        Processes.Result r = migrate("--from", "file://" + v1, "--to", "file://" + tmp.resolve("v2"), "--report",
                report.toString(), "--state", tmp.resolve("s.db").toString());
        assertEquals(1, r.exitCode(), r::describe);
        JsonNode rep = TestImages.readJson(report);
        assertEquals(good.size(), rep.path("summary").path("tagsMigrated").asInt(), rep::toPrettyString);
        List<String> kinds = TestImages.texts(rep.path("anomalies"), "kind");
        for (V1Fixtures.ExpectedAnomaly a : anomalies) {
            assertTrue(kinds.contains(a.kind().id()), a.kind().id());
        }
        boolean listed = false;
        for (JsonNode t : rep.path("tags")) {
            listed |= t.path("status").asText().equals("SKIPPED") && t.path("repository").asText().equals("bad/corrupt");
        }
        assertTrue(listed, "skipped tags are listed in the report");

        Processes.Result bad = migrate("--from", "file://" + tmp.resolve("empty-dir"), "--to", "file://" + tmp.resolve("x"));
        assertEquals(2, bad.exitCode(), bad::describe);
        assertTrue(bad.stderr().contains("neither a V1 store"), bad.stderr());
        Files.createDirectories(tmp.resolve("v2src/docker/registry/v2/repositories"));
        Processes.Result v2 = migrate("--from", "file://" + tmp.resolve("v2src"), "--to", "file://" + tmp.resolve("y"));
        // a V2 source is copied as it is (empty here: nothing to copy, a clean run, exit 0)
        assertEquals(0, v2.exitCode(), v2::describe);
        Processes.Result badUrl = migrate("--from", "nosuch.yml", "--to", "file://" + tmp.resolve("x"));
        assertEquals(2, badUrl.exitCode(), badUrl::describe);

        // a report or state it could not write is found before anything is written
        Path aFile = Files.writeString(tmp.resolve("a-file"), "not a directory");
        for (String[] where : new String[][] {{"--report", aFile.resolve("r.json").toString()},
                {"--state", aFile.resolve("s.db").toString()}}) {
            Processes.Result unwritable = migrate("--from", "file://" + v1, "--to", "file://" + tmp.resolve("z"),
                    where[0], where[1]);
            assertEquals(2, unwritable.exitCode(), unwritable::describe);
            assertTrue(unwritable.stderr().contains("cannot write the " + (where[0].equals("--report") ? "report " : "state database ")
                    + where[1]), unwritable::describe);
            assertFalse(Files.exists(tmp.resolve("z")), "nothing written at the destination");
        }
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}

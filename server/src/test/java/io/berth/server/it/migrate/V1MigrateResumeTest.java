package io.berth.server.it.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.migrate.v1.V1StoreBuilder;
import io.berth.server.it.BerthProcess;
import io.berth.server.it.Processes;
import io.berth.server.it.TestImages;
import io.berth.storage.filesystem.FilesystemDriver;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a running {@code berth migrate} (xz layers, so it recompresses for a while), then a
 * re-run: no tag ever points at an incomplete manifest, and the result equals an uninterrupted
 * run's, digest for digest.
 */
class V1MigrateResumeTest {
    @TempDir
    Path tmp;

    @Test
    void killedMigrationResumesToTheSameStore() throws Exception {
        Path v1 = tmp.resolve("v1");
        V1StoreBuilder b = new V1StoreBuilder(new FilesystemDriver(v1), 31);
        int tags = 0;
        for (int repo = 0; repo < 4; repo++) {
            String parent = null;
            for (int i = 0; i < 10; i++) {
                V1StoreBuilder.Push p = b.image().parent(parent).stored(V1StoreBuilder.Stored.XZ);
                if (i % 3 != 2) {
                    p.tar(b.layerTar(1_500_000));
                }
                parent = p.push();
                if (i % 4 == 3 || i == 9) {
                    b.tag("team", "app" + repo, "v" + i, parent);
                    tags++;
                }
            }
        }
        Path reference = tmp.resolve("reference");
        Processes.Result ref = BerthProcess.run(null, "migrate", "--quiet", "--from", "file://" + v1, "--to",
                "file://" + reference, "--state", tmp.resolve("ref.db").toString(), "--workers", "1");
        assertEquals(0, ref.exitCode(), ref::describe);

        Path v2 = tmp.resolve("v2");
        Path state = tmp.resolve("state.db");
        List<String> cmd = BerthProcess.command("migrate", "--quiet", "--from", "file://" + v1, "--to", "file://" + v2,
                "--state", state.toString(), "--workers", "1");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (blobCount(v2) < 8) {
                if (!p.isAlive()) {
                    fail("migrate ended before it could be killed; make the store bigger\n"
                            + Files.readString(tmp.resolve("killed.log")));
                }
                if (System.nanoTime() > deadline) {
                    fail("no progress within 120 s");
                }
                Thread.sleep(20);
            }
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
        }
        int partialTags = assertNoTagPointsAtIncompleteContent(v2);
        assertTrue(partialTags < tags, "killed before the end (" + partialTags + " of " + tags + " tags)");

        Processes.Result resumed = BerthProcess.run(null, "migrate", "--quiet", "--from", "file://" + v1, "--to",
                "file://" + v2, "--state", state.toString(), "--workers", "1", "--report", tmp.resolve("r.json").toString());
        assertEquals(0, resumed.exitCode(), resumed::describe);
        JsonNode rep = TestImages.readJson(tmp.resolve("r.json"));
        assertEquals(tags, rep.path("summary").path("tagsMigrated").asInt() + rep.path("summary").path("tagsUnchanged").asInt());
        assertEquals(tags, assertNoTagPointsAtIncompleteContent(v2));
        assertEquals(tree(reference), tree(v2), "resumed store equals an uninterrupted run's");
    }

    private static long blobCount(Path v2) throws IOException {
        Path blobs = v2.resolve("docker/registry/v2/blobs");
        if (!Files.isDirectory(blobs)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(blobs)) {
            return s.filter(f -> f.getFileName().toString().equals("data")).count();
        } catch (java.io.UncheckedIOException e) {
            return 0; // a directory moved while we walked
        }
    }

    /** Every tag's manifest, its revision, config and layers exist and are linked; returns the number of tags. */
    static int assertNoTagPointsAtIncompleteContent(Path v2) throws IOException {
        Registry reg = new Registry(new FilesystemDriver(v2));
        int n = 0;
        for (RepositoryName name : reg.catalog(null, 10_000)) {
            Repository repo = reg.repository(name);
            for (Tag t : repo.tags().list()) {
                Digest md = repo.tags().resolve(t).orElseThrow();
                assertTrue(repo.manifests().exists(md), name + ":" + t + " revision");
                JsonNode m = TestImages.parseJson(reg.blobs().get(md));
                assertEquals(md, Digest.sha256(reg.blobs().get(md)));
                assertTrue(repo.statBlob(Digest.parse(m.path("config").path("digest").asText())).isPresent());
                for (JsonNode l : m.path("layers")) {
                    Digest ld = Digest.parse(l.path("digest").asText());
                    assertTrue(repo.statBlob(ld).isPresent(), name + ":" + t + " layer " + ld);
                    assertEquals(l.path("size").asLong(), reg.blobs().stat(ld).orElseThrow().size());
                }
                n++;
            }
        }
        return n;
    }

    /** Files under docker/registry/v2 except upload staging, with their sha256. */
    static Map<String, String> tree(Path root) throws IOException {
        Path v2 = root.resolve("docker/registry/v2");
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(v2)) {
            for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String rel = v2.relativize(f).toString();
                if (!rel.contains("/_uploads/")) {
                    out.put(rel, TestImages.sha256(Files.readAllBytes(f)));
                }
            }
        }
        return out;
    }
}

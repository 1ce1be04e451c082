package io.berth.server.it.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.cli.Main;
import io.berth.server.it.BerthProcess;
import io.berth.server.it.DistributionRegistry;
import io.berth.server.it.Ports;
import io.berth.server.it.Processes;
import io.berth.server.it.Skopeo;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth verify} as operators run it, on a store written by distribution's own registry
 * (Debian's docker-registry, pushed to by skopeo): clean as written, then with faults injected;
 * exit codes 0/1/2, the JSON report, --quarantine, --incremental, --repository.
 */
class VerifyCommandTest {
    private static final long MIB = 1024 * 1024;
    private static final String IMAGE_REPO = "compat/image";
    private static final String MULTI_REPO = "compat/multi";
    private static final String DOCKER_REPO = "compat/docker";

    @TempDir
    static Path shared;
    static Path pristine;
    static TestImages.Image image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pushWithDistribution() {
        image = TestImages.multiLayer(shared.resolve("image"), "v1", 4001, 3, 9 * MIB);
        TestImages.Index multi = TestImages.multiPlatform(shared.resolve("multi"), "multi", 4002);
        TestImages.Image forV2s2 = TestImages.multiLayer(shared.resolve("docker"), "v1", 4003, 2, 2 * MIB);
        pristine = shared.resolve("store");
        try (DistributionRegistry dist = DistributionRegistry.start(pristine, shared.resolve("dist-work"))) {
            Skopeo.copy(image.ociRef(), Skopeo.docker(dist.hostPort(), IMAGE_REPO + ":v1"));
            Skopeo.copy(image.ociRef(), Skopeo.docker(dist.hostPort(), IMAGE_REPO + ":latest"));
            Skopeo.copyAll(multi.ociRef(), Skopeo.docker(dist.hostPort(), MULTI_REPO + ":multi"));
            Skopeo.copyV2s2(forV2s2.ociRef(), Skopeo.docker(dist.hostPort(), DOCKER_REPO + ":v1"));
        }
    }

    /** A private copy of the store distribution wrote, for a test to damage. */
    private Path store() {
        Path dst = tmp.resolve("store");
        try (Stream<Path> files = Files.walk(pristine)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = dst.resolve(pristine.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dst;
    }

    private static String url(Path store) {
        return "file://" + store.toAbsolutePath();
    }

    record Run(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    /** Main.run in this JVM, with stdout and stderr captured. */
    private static synchronized Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static List<String> problems(JsonNode report) {
        List<String> out = new ArrayList<>();
        report.path("problems").forEach(p -> out.add(p.path("kind").asText() + " " + p.path("path").asText()
                + " " + p.path("repository").asText("-")));
        out.sort(null);
        return out;
    }

    private static Path blob(Path store, String digest) {
        return StorageChecks.blobData(store, digest);
    }

    private static String v2(String digest) {
        return "/docker/registry/v2/blobs/sha256/" + digest.substring(7, 9) + "/" + digest.substring(7) + "/data";
    }

    private static void flipByte(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 3] ^= 0x04;
        Files.write(file, b);
    }

    private static long filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    /** The manifest digest a tag's current link names, as distribution wrote it. */
    private static String tagged(Path store, String repo, String tag) throws IOException {
        return Files.readString(StorageChecks.v2(store).resolve("repositories/" + repo + "/_manifests/tags/" + tag
                + "/current/link")).trim();
    }

    @Test
    void aStoreDistributionWroteVerifiesCleanAsAProcessFromAUrlAndFromItsConfig() throws IOException {
        Path store = store();
        Path report = tmp.resolve("report.json");
        Processes.Result r = BerthProcess.run(null, "verify", url(store), "--report", report.toString());
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("clean"), r.describe());
        JsonNode json = TestImages.readJson(report);
        assertEquals(List.of(), problems(json));
        long blobs = filesUnder(StorageChecks.v2(store).resolve("blobs"));
        assertEquals(blobs, json.path("totals").path("blobs").asLong());
        assertEquals(blobs, json.path("totals").path("blobsHashed").asLong());
        assertEquals(3, json.path("totals").path("repositories").asLong());
        assertTrue(json.path("totals").path("bytesHashed").asLong() > 11 * MIB, json.toString());
        // 1 image + (index + its platform manifests) + 1 v2s2 image
        assertTrue(json.path("totals").path("manifests").asLong() >= 4, json.toString());

        Path config = DistributionRegistry.writeConfig(tmp.resolve("config.yml"), store, Ports.free());
        Processes.Result fromConfig = BerthProcess.run(null, "verify", config.toString(), "--quiet");
        assertEquals(0, fromConfig.exitCode(), fromConfig.describe());
        assertEquals("", fromConfig.stdout(), "--quiet prints nothing when clean");
    }

    @Test
    void faultsExitOneAndTheReportNamesEachWithItsPathAndRepository() throws IOException {
        Path store = store();
        String layer = image.layerDigests().get(1);
        flipByte(blob(store, layer));
        String dockerManifest = tagged(store, DOCKER_REPO, "v1");
        String dockerConfig = TestImages.parseJson(Files.readAllBytes(blob(store, dockerManifest)))
                .path("config").path("digest").asText();
        Files.delete(blob(store, dockerConfig));
        Path ghost = StorageChecks.v2(store).resolve("repositories/" + MULTI_REPO + "/_manifests/tags/ghost/current/link");
        Files.createDirectories(ghost.getParent());
        Files.writeString(ghost, "sha256:" + "0".repeat(64));
        Path report = tmp.resolve("out/report.json");

        Run run = cli("verify", url(store), "--workers", "2", "--report", report.toString());
        assertEquals(1, run.exit(), run.describe());
        assertEquals(List.of(
                "blob-digest-mismatch " + v2(layer) + " -",
                "blob-missing " + v2(dockerConfig) + " " + DOCKER_REPO,
                "tag-dangling /docker/registry/v2/repositories/" + MULTI_REPO + "/_manifests/tags/ghost/current/link "
                        + MULTI_REPO), problems(TestImages.readJson(report)));
        assertTrue(run.out().contains("blob-digest-mismatch " + v2(layer)), run.describe());
        assertTrue(run.out().contains("3 problems"), run.describe());
    }

    @Test
    void quarantineMovesTheCorruptBlobAndTheReportSaysWhere() throws IOException {
        Path store = store();
        String layer = image.layerDigests().get(0);
        Path data = blob(store, layer);
        flipByte(data);
        byte[] corrupt = Files.readAllBytes(data);
        Path report = tmp.resolve("q.json");
        Run run = cli("verify", url(store), "--quarantine", "--quiet", "--report", report.toString());
        assertEquals(1, run.exit(), run.describe());
        JsonNode p = TestImages.readJson(report).path("problems").get(0);
        String to = "/docker/registry/v2/quarantine/sha256/" + layer.substring(7) + "/data";
        assertEquals(to, p.path("quarantinedTo").asText());
        assertTrue(run.out().contains("moved to " + to), run.describe());
        assertFalse(Files.exists(data), "the corrupt blob left blobs/");
        assertArrayEquals(corrupt, Files.readAllBytes(store.resolve(to.substring(1))), "moved, not deleted");

        Run next = cli("verify", url(store), "--quiet", "--report", report.toString());
        assertEquals(1, next.exit(), next.describe());
        assertEquals(List.of("blob-missing " + v2(layer) + " " + IMAGE_REPO), problems(TestImages.readJson(report)));
    }

    @Test
    void incrementalRunsSkipWhatTheStateFileShowsVerified() throws IOException {
        Path store = store();
        Path state = tmp.resolve("verify-state.db");
        Path report = tmp.resolve("i.json");
        long blobs = filesUnder(StorageChecks.v2(store).resolve("blobs"));
        String[] args = {"verify", url(store), "--incremental", "--state", state.toString(), "--since", "30d",
                "--quiet", "--report", report.toString()};
        Run first = cli(args);
        assertEquals(0, first.exit(), first.describe());
        assertEquals(blobs, TestImages.readJson(report).path("totals").path("blobsHashed").asLong());
        Run second = cli(args);
        assertEquals(0, second.exit(), second.describe());
        JsonNode totals = TestImages.readJson(report).path("totals");
        assertEquals(0, totals.path("blobsHashed").asLong(), totals.toString());
        assertEquals(blobs, totals.path("blobsSkipped").asLong());

        flipByte(blob(store, image.layerDigests().get(2)));
        Run notDue = cli(args);
        assertEquals(0, notDue.exit(), "corrupted after its verification and not due yet: " + notDue.describe());
        Run due = cli("verify", url(store), "--incremental", "--state", state.toString(), "--since",
                "2999-01-01T00:00:00Z", "--quiet", "--report", report.toString());
        assertEquals(1, due.exit(), due.describe());
        assertEquals(List.of("blob-digest-mismatch " + v2(image.layerDigests().get(2)) + " -"),
                problems(TestImages.readJson(report)));
    }

    @Test
    void repositoryScopeHashesOnlyWhatThatRepositoryReaches() throws IOException {
        Path store = store();
        String dockerManifest = tagged(store, DOCKER_REPO, "v1");
        String dockerLayer = TestImages.parseJson(Files.readAllBytes(blob(store, dockerManifest)))
                .path("layers").get(0).path("digest").asText();
        flipByte(blob(store, dockerLayer));
        Path report = tmp.resolve("r.json");

        Run image = cli("verify", url(store), "--repository", IMAGE_REPO, "--quiet", "--report", report.toString());
        assertEquals(0, image.exit(), image.describe());
        JsonNode totals = TestImages.readJson(report).path("totals");
        assertEquals(2 + VerifyCommandTest.image.layerDigests().size(), totals.path("blobsHashed").asLong(),
                "manifest, config and layers of " + IMAGE_REPO + ": " + totals);
        assertEquals("repository " + IMAGE_REPO, TestImages.readJson(report).path("scope").asText());

        Run docker = cli("verify", url(store), "--repository", DOCKER_REPO, "--quiet", "--report", report.toString());
        assertEquals(1, docker.exit(), docker.describe());
        assertEquals(List.of("blob-digest-mismatch " + v2(dockerLayer) + " -"), problems(TestImages.readJson(report)));
    }

    @Test
    void couldNotRunExitsTwoWithAClearMessage() throws IOException {
        Path store = store();
        Path notSqlite = Files.writeString(tmp.resolve("state.db"), "not a database, just text that is long enough");
        String[][] cases = {
                {"verify", tmp.resolve("no-such-config.yml").toString()},
                {"verify", "ftp://example.com/registry"},
                {"verify", url(tmp.resolve("empty-dir"))},
                {"verify", url(store), "--repository", "no/such/repo"},
                {"verify", url(store), "--repository", "Not_Valid"},
                {"verify", url(store), "--incremental"},
                {"verify", url(store), "--since", "30d"},
                {"verify", url(store), "--incremental", "--state", tmp.resolve("s.db").toString(), "--since", "yesterday"},
                {"verify", url(store), "--workers", "0"},
                {"verify", url(store), "--upload-max-age", "a while"},
                {"verify", url(store), "--state", notSqlite.toString()},
                {"verify", url(store), "--no-such-option"},
                {"verify"},
                // the report and the state are checked before the store is read
                {"verify", url(store), "--report", tmp.toString()},
                {"verify", url(store), "--report", notSqlite.resolve("report.json").toString()},
                {"verify", url(store), "--state", notSqlite.resolve("s.db").toString()},
        };
        for (String[] args : cases) {
            Run run = cli(args);
            assertEquals(2, run.exit(), String.join(" ", args) + "\n" + run.describe());
            assertFalse(run.err().isBlank(), "says why: " + String.join(" ", args));
            assertFalse(run.err().contains("\tat "), "a message, not a stack trace: " + run.describe());
        }
        Processes.Result process = BerthProcess.run(null, "verify", url(tmp.resolve("nothing-here")));
        assertEquals(2, process.exitCode(), process.describe());
        assertTrue(process.stderr().contains("no registry store"), process.describe());
        Run underAFile = cli("verify", url(store), "--report", notSqlite.resolve("r.json").toString());
        assertTrue(underAFile.err().contains("cannot write the report " + notSqlite.resolve("r.json")),
                "names the file it cannot write: " + underAFile.describe());
    }
}

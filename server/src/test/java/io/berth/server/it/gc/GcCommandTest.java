package io.berth.server.it.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.core.coordination.GcPresence;
import io.berth.server.it.BerthProcess;
import io.berth.server.it.BerthServer;
import io.berth.server.it.Processes;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth gc} as a process: config.yml and URL forms, dry run output, report, exit codes. */
class GcCommandTest {
    @TempDir
    Path tmp;

    @Test
    void dryRunListsAndChangesNothingThenTheRunDeletesAndReports() throws Exception {
        Path root = tmp.resolve("store");
        String orphan = pushOrphan(root);
        Path config = BerthProcess.writeConfig(tmp.resolve("config.yml"), root, 5000, "");
        Set<String> before = GcStores.files(root);

        Processes.Result dry = BerthProcess.run(null, "garbage-collect", "--dry-run", "--grace-period", "0s", config.toString());
        assertEquals(0, dry.exitCode(), dry.describe());
        assertTrue(dry.stdout().contains("would delete blob " + orphan), dry.describe());
        assertTrue(dry.stdout().contains("would delete layer link cli/app " + orphan), dry.describe());
        assertTrue(dry.stdout().contains("dry run:") && dry.stdout().contains("85 B to free"), dry.describe());
        assertEquals(before, GcStores.files(root));

        Path report = tmp.resolve("out/report.json");
        Processes.Result run = BerthProcess.run(null, "gc", "-q", "--grace-period", "0", "--report", report.toString(),
                "file://" + root.toAbsolutePath());
        assertEquals(0, run.exitCode(), run.describe());
        assertEquals("", run.stdout(), "--quiet prints nothing on stdout");
        assertTrue(!Files.exists(StorageChecks.blobData(root, orphan)));
        JsonNode r = TestImages.parseJson(Files.readAllBytes(report));
        assertEquals(orphan, r.path("blobs").path(0).path("digest").asText());
        assertEquals(orphan, r.path("repositories").path("cli/app").path("layerLinks").path(0).asText());
        assertEquals(1, r.path("totals").path("blobs").asLong());
        assertTrue(r.path("durationMillis").isNumber());
        assertEquals(false, r.path("dryRun").asBoolean());
    }

    /**
     * A gc stopped half-way (SIGTERM from a cron timeout, Ctrl-C, the OOM killer) leaves its marker;
     * the next run on the same machine sees that its writer is gone and takes over at once instead
     * of waiting minutes for the marker to age. A caching registry's registration makes the killed
     * run hold its deletions back for GcPresence.FENCE, the window in which it is stopped.
     */
    @Test
    void aRunAfterAKilledOneTakesOverAtOnce() throws Exception {
        Path root = tmp.resolve("store");
        String orphan = pushOrphan(root);
        Path v2 = StorageChecks.v2(root);
        Path registration = v2.resolve("gc/caches/registry-1");
        Files.createDirectories(registration.getParent());
        Files.write(registration, GcPresence.describe("berth serve", Instant.now()));
        Path marker = v2.resolve("gc/running");
        String url = "file://" + root.toAbsolutePath();

        Process first = new ProcessBuilder(BerthProcess.command("gc", "-q", "--grace-period", "0", url))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("first.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(marker) && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(marker), "the first run wrote its marker: " + Files.readString(tmp.resolve("first.log")));
            first.destroy(); // SIGTERM, inside the fence: nothing deleted yet
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        } finally {
            first.destroyForcibly();
        }
        assertTrue(Files.exists(StorageChecks.blobData(root, orphan)), "the killed run deleted nothing");
        assertTrue(Files.exists(marker), "a killed gc leaves its marker");

        Processes.Result second = BerthProcess.run(null, "gc", "-q", "--grace-period", "0", url);
        assertEquals(0, second.exitCode(), second.describe());
        assertTrue(second.stderr().contains("was left by a run on this machine that has stopped"), second.describe());
        assertFalse(Files.exists(StorageChecks.blobData(root, orphan)), "the second run collected the orphan");
        assertFalse(Files.exists(marker), "and removed the marker");

        // a marker whose writer is alive still stops a run: this test's JVM as the holder
        Files.write(marker, GcPresence.describe("berth gc", Instant.now()));
        Processes.Result busy = BerthProcess.run(null, "gc", "-q", url);
        assertEquals(2, busy.exitCode(), busy.describe());
        assertTrue(busy.stderr().contains("another gc is running"), busy.describe());
    }

    /** A store under {@code root} holding one blob that no manifest uses, in cli/app; its digest. */
    private static String pushOrphan(Path root) {
        try (BerthServer berth = BerthServer.start(root)) {
            return GcStores.pushBlob(berth.url(), "cli/app", "nobody uses me".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A report gc could not write at the end would leave cron with deletions and no account of them. */
    @Test
    void aReportItCannotWriteStopsTheRunBeforeItDeletesAnything() throws Exception {
        Path root = tmp.resolve("store");
        String orphan = pushOrphan(root);
        Path notADir = Files.writeString(tmp.resolve("reports"), "a file where a directory should be");
        Path report = notADir.resolve("gc.json");
        Processes.Result r = BerthProcess.run(null, "gc", "--grace-period", "0", "--report", report.toString(),
                "file://" + root.toAbsolutePath());
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("cannot write the report " + report), r.describe());
        assertFalse(r.stderr().contains("\tat "), "a message, not a stack trace: " + r.describe());
        assertTrue(Files.exists(StorageChecks.blobData(root, orphan)), "nothing deleted");
        assertFalse(Files.exists(root.resolve("docker/registry/v2/gc/running")), "no marker left: " + r.describe());
    }

    @Test
    void couldNotRunIsExitCodeTwo() throws Exception {
        Path missing = tmp.resolve("nope.yml");
        Processes.Result r = BerthProcess.run(null, "gc", missing.toString());
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("neither a config file nor a storage URL"), r.describe());

        Path bad = tmp.resolve("bad.yml");
        Files.writeString(bad, "version: 0.1\nstorage:\n  nosuchdriver: {}\n");
        assertEquals(2, BerthProcess.run(null, "gc", bad.toString()).exitCode());

        Processes.Result dur = BerthProcess.run(null, "gc", "--grace-period", "soon", "file://" + tmp);
        assertEquals(2, dur.exitCode(), dur.describe());
        assertTrue(dur.stderr().contains("invalid duration 'soon'"), dur.describe());

        Processes.Result unreachable = BerthProcess.run(null, "gc",
                "s3://bucket/x?region=us-east-1&endpoint=http://127.0.0.1:9&forcepathstyle=true&accesskey=a&secretkey=b");
        assertEquals(2, unreachable.exitCode(), unreachable.describe());
        assertEquals(2, BerthProcess.run(null, "gc", "--no-such-flag", "file://" + tmp).exitCode());

        Processes.Result typo = BerthProcess.run(null, "gc", "file://" + tmp.resolve("registyr"));
        assertEquals(2, typo.exitCode(), typo.describe());
        assertTrue(typo.stderr().contains("no registry store in"), typo.describe());
    }
}

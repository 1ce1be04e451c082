package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives go-containerregistry's {@code crane}, a second real client beside skopeo with its own
 * registry code: streamed uploads, cross-repository mounts whenever it copies, its own tag and
 * catalog paging, and {@code validate --remote}, which re-hashes every layer it pulls. Debian has
 * no crane binary but ships its source with every dependency as Debian packages
 * (golang-github-google-go-containerregistry-dev); the first use builds it offline with Debian's Go
 * into {@code target/crane} (about 15 s), unless {@code CRANE} names a binary. Each run gets its
 * own HOME and DOCKER_CONFIG, so the host's credentials and settings cannot change results.
 */
public final class Crane {
    public static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String MODULE = "github.com/google/go-containerregistry";
    private static final Path GOPATH = Path.of("/usr/share/gocode");
    private static Path binary;
    private static Path home;

    private Crane() {
    }

    /** {@code crane args... --insecure} (plain HTTP to loopback); fails the test on a non-zero exit. */
    public static Processes.Result run(String... args) {
        Processes.Result r = tryRun(args);
        if (r.exitCode() != 0) {
            fail("crane " + String.join(" ", args) + " failed\n" + r.describe() + BerthProcess.openLogTails());
        }
        return r;
    }

    /** Like {@link #run}, without failing on a non-zero exit. */
    public static Processes.Result tryRun(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary().toString());
        cmd.addAll(List.of(args));
        cmd.add("--insecure");
        Path h = home();
        return Processes.run(cmd, e -> {
            e.put("HOME", h.toString());
            e.put("DOCKER_CONFIG", h.resolve(".docker").toString());
        }, TIMEOUT);
    }

    /** Standard output of a successful run, trimmed. */
    public static String out(String... args) {
        return run(args).stdout().trim();
    }

    private static synchronized Path home() {
        if (home == null) {
            try {
                home = Files.createTempDirectory("berth-it-crane-home");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return home;
    }

    /** The crane binary: {@code CRANE}, else one built from Debian's source package. */
    public static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        String given = System.getenv("CRANE");
        if (given != null && !given.isBlank()) {
            return binary = Processes.requireOnPath(given);
        }
        Path out = Path.of("target", "crane").toAbsolutePath();
        Path bin = out.resolve("crane");
        if (Files.isExecutable(bin)) {
            return binary = bin;
        }
        if (!Files.isDirectory(GOPATH.resolve("src").resolve(MODULE).resolve("cmd/crane"))) {
            fail("crane's source is not installed (" + GOPATH.resolve("src").resolve(MODULE) + "); "
                    + "on Debian 12: apt-get install golang-go golang-github-google-go-containerregistry-dev "
                    + "(.ci/run does), or set CRANE to a crane binary");
        }
        Processes.requireOnPath("go", "golang-go (crane is built with it)");
        Processes.Result r = Processes.run(List.of("go", "build", "-o", bin.toString(), MODULE + "/cmd/crane"), e -> {
            e.put("GO111MODULE", "off"); // Debian's Go packages are a GOPATH tree, used offline
            e.put("GOPATH", GOPATH.toString());
            e.put("GOCACHE", out.resolve("cache").toString());
            e.put("GOFLAGS", "");
        }, Duration.ofMinutes(10));
        if (r.exitCode() != 0 || !Files.isExecutable(bin)) {
            fail("building crane from Debian's source failed\n" + r.describe());
        }
        return binary = bin;
    }
}

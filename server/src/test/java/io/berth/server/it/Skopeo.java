package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Drives the real {@code skopeo} CLI. Every run uses a private sandbox (HOME, XDG dirs, auth file,
 * registries.conf, registries.d, tmpdir) so whatever the host has configured cannot change results.
 * Loopback {@code docker://} references get {@code --*-tls-verify=false}, which is what makes skopeo
 * talk plain HTTP (it tries HTTPS first and falls back to HTTP only when verification is off).
 * One thing escapes the sandbox: run as root, skopeo keeps its blob-info cache (which repositories
 * are known to hold a blob, used to pick cross-repository mount candidates) in
 * /var/lib/containers/cache whatever HOME says, and 1.9 has no flag to move it. A stale entry only
 * costs a refused mount attempt, after which skopeo uploads as usual.
 */
public final class Skopeo {
    private Skopeo() {}

    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static final Pattern LOOPBACK_DOCKER =
            Pattern.compile("^docker://(127\\.\\d+\\.\\d+\\.\\d+|localhost|\\[::1\\])(:\\d+)?/.*");

    private static Path sandbox;

    // ---- references ----

    /** {@code docker://host:port/repo:tag} (or {@code repo@sha256:...}). */
    public static String docker(String hostPort, String repoAndRef) {
        return "docker://" + hostPort + "/" + repoAndRef;
    }

    public static String oci(Path layout, String tag) {
        return TestImages.ociRef(layout, tag);
    }

    /** {@code dir:} transport: a plain directory with manifest.json and one file per blob (named by hex). */
    public static String dir(Path directory) {
        return "dir:" + directory.toAbsolutePath();
    }

    // ---- commands ----

    /** {@code skopeo copy}; fails the test with skopeo's full output on a non-zero exit. */
    public static Processes.Result copy(String src, String dst, String... extraArgs) {
        Processes.Result r = tryCopy(src, dst, extraArgs);
        if (r.exitCode() != 0) {
            fail("skopeo copy " + src + " -> " + dst + " failed\n" + r.describe() + BerthProcess.openLogTails());
        }
        return r;
    }

    /** Copy converting to Docker schema 2 ({@code --format v2s2}). */
    public static Processes.Result copyV2s2(String src, String dst, String... extraArgs) {
        return copy(src, dst, concat(new String[] {"--format", "v2s2"}, extraArgs));
    }

    /** Copy an index with every platform ({@code --all}) rather than just the host's. */
    public static Processes.Result copyAll(String src, String dst, String... extraArgs) {
        return copy(src, dst, concat(new String[] {"--all"}, extraArgs));
    }

    /** {@code skopeo copy} without failing: for tests that expect a client-side error. */
    public static Processes.Result tryCopy(String src, String dst, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("copy"));
        if (isLoopbackDocker(src)) {
            args.add("--src-tls-verify=false");
        }
        if (isLoopbackDocker(dst)) {
            args.add("--dest-tls-verify=false");
        }
        args.addAll(Arrays.asList(extraArgs));
        args.add(src);
        args.add(dst);
        return run(args.toArray(String[]::new));
    }

    /** Raw manifest (or index) bytes exactly as served/stored: {@code skopeo inspect --raw}. */
    public static byte[] inspectRawBytes(String ref, String... extraArgs) {
        return checked(inspectArgs(ref, "--raw", extraArgs)).stdoutBytes();
    }

    public static String inspectRaw(String ref, String... extraArgs) {
        return checked(inspectArgs(ref, "--raw", extraArgs)).stdout();
    }

    /**
     * {@code skopeo inspect} summary JSON (Digest, Layers, Architecture, ...). For an index this
     * resolves to the host platform's image unless {@code --override-arch} etc. are given.
     */
    public static JsonNode inspect(String ref, String... extraArgs) {
        return TestImages.parseJson(checked(inspectArgs(ref, null, extraArgs)).stdoutBytes());
    }

    /** The image config blob: {@code skopeo inspect --config}. */
    public static JsonNode inspectConfig(String ref, String... extraArgs) {
        return TestImages.parseJson(checked(inspectArgs(ref, "--config", extraArgs)).stdoutBytes());
    }

    /** {@code skopeo inspect --raw} without failing: for references expected not to resolve. */
    public static Processes.Result tryInspectRaw(String ref, String... extraArgs) {
        return run(inspectArgs(ref, "--raw", extraArgs));
    }

    /**
     * {@code skopeo delete}: resolves a tag to its digest and deletes that manifest (DELETE by
     * digest, which also drops every tag pointing at it). Does not fail the test by itself.
     */
    public static Processes.Result tryDelete(String ref) {
        List<String> args = new ArrayList<>(List.of("delete"));
        if (isLoopbackDocker(ref)) {
            args.add("--tls-verify=false");
        }
        args.add(ref);
        return run(args.toArray(String[]::new));
    }

    /** Tags of a repository, e.g. {@code listTags("docker://127.0.0.1:5000/foo")}. */
    public static List<String> listTags(String repoRef) {
        List<String> args = new ArrayList<>(List.of("list-tags"));
        if (isLoopbackDocker(repoRef)) {
            args.add("--tls-verify=false");
        }
        args.add(repoRef);
        List<String> tags = new ArrayList<>();
        TestImages.parseJson(checked(args.toArray(String[]::new)).stdoutBytes())
                .path("Tags").forEach(t -> tags.add(t.asText()));
        return tags;
    }

    /**
     * Runs {@code skopeo <global sandbox flags> args...} and returns whatever happened. Global flags:
     * {@code --insecure-policy} (no /etc/containers/policy.json needed), an empty
     * {@code --registries.d} and a private {@code --tmpdir}.
     */
    public static Processes.Result run(String... args) {
        Path sb = sandbox();
        List<String> cmd = new ArrayList<>(List.of("skopeo",
                "--insecure-policy",
                "--registries.d", sb.resolve("registries.d").toString(),
                "--tmpdir", sb.resolve("tmp").toString()));
        cmd.addAll(Arrays.asList(args));
        return Processes.run(cmd, env -> isolate(env, sb), TIMEOUT);
    }

    // ---- internals ----

    private static String[] inspectArgs(String ref, String mode, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("inspect"));
        if (mode != null) {
            args.add(mode);
        }
        if (isLoopbackDocker(ref)) {
            args.add("--tls-verify=false");
        }
        args.addAll(Arrays.asList(extraArgs));
        args.add(ref);
        return args.toArray(String[]::new);
    }

    private static Processes.Result checked(String... args) {
        Processes.Result r = run(args);
        if (r.exitCode() != 0) {
            fail("skopeo failed\n" + r.describe() + BerthProcess.openLogTails());
        }
        return r;
    }

    static boolean isLoopbackDocker(String ref) {
        return LOOPBACK_DOCKER.matcher(ref).matches();
    }

    private static void isolate(Map<String, String> env, Path sb) {
        env.put("HOME", sb.resolve("home").toString());
        env.put("XDG_RUNTIME_DIR", sb.resolve("run").toString());
        env.put("XDG_CONFIG_HOME", sb.resolve("home/.config").toString());
        env.put("DOCKER_CONFIG", sb.resolve("home/.docker").toString());
        env.put("REGISTRY_AUTH_FILE", sb.resolve("auth.json").toString());
        env.put("CONTAINERS_REGISTRIES_CONF", sb.resolve("registries.conf").toString());
        env.put("TMPDIR", sb.resolve("tmp").toString());
    }

    /** One sandbox per JVM, created lazily and deleted at JVM exit (its tmp/ may hold staged blobs). */
    private static synchronized Path sandbox() {
        if (sandbox == null) {
            try {
                Path sb = Files.createTempDirectory("berth-it-skopeo");
                for (String d : List.of("home/.config", "home/.docker", "run", "registries.d", "tmp")) {
                    Files.createDirectories(sb.resolve(d));
                }
                Files.setPosixFilePermissions(sb.resolve("run"), PosixFilePermissions.fromString("rwx------"));
                Files.writeString(sb.resolve("auth.json"), "{\"auths\":{}}");
                // No search registries, no mirrors, nothing marked insecure: only our explicit flags count.
                Files.writeString(sb.resolve("registries.conf"), "unqualified-search-registries = []\n");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(sb)));
                sandbox = sb;
            } catch (IOException e) {
                throw new UncheckedIOException("creating skopeo sandbox", e);
            }
        }
        return sandbox;
    }

    static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort at shutdown
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

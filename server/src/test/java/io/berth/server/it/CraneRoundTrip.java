package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a crane user does against a registry, checked end to end: build two images from tarballs
 * ({@code append}), list, validate by pulling and re-hashing, copy to another repository (where
 * crane mounts every blob), tag, export the flattened filesystem, fetch a blob, delete by digest.
 * Shared by the filesystem test and every object-store backend.
 */
public final class CraneRoundTrip {
    private static final Pattern PUSHED = Pattern.compile("(?m): digest: (sha256:[0-9a-f]{64}) size: \\d+$");

    private CraneRoundTrip() {
    }

    /** The digests of the two pushed images and of the copy, for store-specific checks. */
    public record Result(String v1, String v2, List<String> layers) {
    }

    /**
     * Runs the round trip on {@code hostPort} under {@code prefix/} (repositories {@code prefix/app}
     * and {@code prefix/copy}); the first layer holds {@code bigBytes} random bytes.
     */
    public static Result run(String hostPort, String prefix, Path tmp, int bigBytes) throws IOException {
        String app = hostPort + "/" + prefix + "/app";
        String copy = hostPort + "/" + prefix + "/copy";
        byte[] big = TestImages.randomBytes(bigBytes, 4242);
        byte[] small = "crane was here\n".getBytes(StandardCharsets.UTF_8);
        Path l1 = layerTar(tmp.resolve("l1"), "big.bin", big);
        Path l2 = layerTar(tmp.resolve("l2"), "etc/motd", small);

        String v1 = pushedDigest(Crane.run("append", "-f", l1.toString(), "-t", app + ":v1"));
        String v2 = pushedDigest(Crane.run("append", "-b", app + ":v1", "-f", l2.toString(), "-t", app + ":v2"));
        assertEquals(List.of("v1", "v2"), Crane.out("ls", app).lines().toList());
        assertEquals(v2, Crane.out("digest", app + ":v2"));
        Http.Response head = Http.head("http://" + hostPort + "/v2/" + prefix + "/app/manifests/v2",
                "Accept", "application/vnd.docker.distribution.manifest.v2+json, " + TestImages.OCI_MANIFEST);
        assertEquals(v2, head.header("Docker-Content-Digest"), head.toString());

        // validate pulls every layer and checks it against its digest and the config's diff_ids
        assertTrue(Crane.run("validate", "--remote", app + ":v2").output().contains("PASS"));
        JsonNode manifest = TestImages.parseJson(Crane.run("manifest", app + ":v2").stdoutBytes());
        List<String> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertEquals(2, layers.size(), manifest.toString());
        byte[] blob = Crane.run("blob", app + "@" + layers.get(1)).stdoutBytes();
        assertEquals(layers.get(1), TestImages.sha256(blob), "crane blob gives the layer's bytes");

        // a copy to another repository of the same registry mounts the blobs instead of uploading them
        Processes.Result copied = Crane.run("copy", app + ":v2", copy + ":c");
        assertTrue(copied.stderr().contains("mounted blob: " + layers.get(0)), copied.describe());
        Crane.run("tag", copy + ":c", "latest");
        assertEquals(List.of("c", "latest"), Crane.out("ls", copy).lines().toList());
        assertTrue(Crane.out("catalog", hostPort).lines().toList().containsAll(List.of(prefix + "/app", prefix + "/copy")));

        Path exported = tmp.resolve("export.tar");
        Crane.run("export", copy + ":latest", exported.toString());
        Path fs = Files.createDirectories(tmp.resolve("fs"));
        Processes.runChecked(List.of("tar", "-xf", exported.toString(), "-C", fs.toString()), null, Duration.ofMinutes(2));
        assertArrayEquals(big, Files.readAllBytes(fs.resolve("big.bin")));
        assertArrayEquals(small, Files.readAllBytes(fs.resolve("etc/motd")));

        // deleting the manifest by digest takes both tags of the copy; the original stays. The copy
        // is then a repository with no tags on a filesystem (its empty _manifests directory stays)
        // and unknown on object stores, where nothing is left under _manifests: distribution's answers
        Crane.run("delete", copy + "@" + v2);
        Processes.Result ls = Crane.tryRun("ls", copy);
        assertTrue(ls.exitCode() == 0 ? ls.stdout().isBlank() : ls.stderr().contains("NAME_UNKNOWN"), ls.describe());
        assertTrue(Crane.tryRun("manifest", copy + ":latest").exitCode() != 0, "the deleted manifest is gone");
        assertTrue(Crane.run("validate", "--remote", app + ":v2").output().contains("PASS"));
        return new Result(v1, v2, layers);
    }

    private static String pushedDigest(Processes.Result r) {
        Matcher m = PUSHED.matcher(r.stderr());
        assertTrue(m.find(), "crane names the pushed digest: " + r.describe());
        return m.group(1);
    }

    /** A tar with one file, made by tar(1) as a user would. */
    private static Path layerTar(Path dir, String name, byte[] content) throws IOException {
        Path file = dir.resolve("root").resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Path tar = dir.resolve("layer.tar");
        Processes.runChecked(List.of("tar", "-C", dir.resolve("root").toString(), "-cf", tar.toString(), name), null,
                Duration.ofMinutes(2));
        return tar;
    }
}

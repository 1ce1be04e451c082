package io.berth.gc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes a synthetic store in distribution's filesystem layout for the gc benchmark
 * (bench/gc-bench.sh). JDK only, so it runs as {@code java SyntheticStore.java ROOT [repos]
 * [manifests] [blobs]} without a build.
 *
 * <p>Shape: a pool of 50 base layers shared by every repository; per repository its own layers,
 * each dealt to one of its tagged Docker schema2 manifests (so every layer is in use), each
 * manifest with its own config and one base layer; one manifest in five untagged (its tag moved
 * on; it reuses three of the repository's layers, so {@code --delete-untagged} frees only it and
 * its config); one blob in twenty never referenced but linked in the repository (an abandoned
 * push). Garbage: about 5% of the blobs, 13% with {@code --delete-untagged}. Blobs are 64 to 1024
 * random bytes: gc's cost is in metadata, not content. Deterministic for a given size.
 */
public final class SyntheticStore {
    private static final String V2 = "docker/registry/v2";
    private static final int BASE_LAYERS = 50;
    private static final String CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";
    private static final String LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SyntheticStore ROOT [repositories=2000] [manifests=20000] [blobs=100000]");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        int repos = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int manifests = args.length > 2 ? Integer.parseInt(args[2]) : 20000;
        int blobs = args.length > 3 ? Integer.parseInt(args[3]) : 100000;
        long t0 = System.nanoTime();
        Stats s = write(root, repos, manifests, blobs);
        System.out.printf("wrote %d repositories, %d manifests (%d untagged), %d blobs (%d unreferenced) to %s in %.1f s%n",
                repos, s.manifests, s.untagged, s.blobs, s.unreferenced, root, (System.nanoTime() - t0) / 1e9);
    }

    record Stats(long manifests, long untagged, long blobs, long unreferenced) {
    }

    public static Stats write(Path root, int repos, int manifests, int blobs) {
        Path v2 = root.resolve(V2);
        List<String> base = new ArrayList<>();
        SplittableRandom rnd0 = new SplittableRandom(1);
        for (int i = 0; i < BASE_LAYERS; i++) {
            base.add(blob(v2, randomBytes(rnd0, 64 + rnd0.nextInt(960))));
        }
        int perRepoManifests = Math.max(1, manifests / repos);
        // blobs: base + per repository (own layers + a manifest and a config per manifest + unreferenced)
        int unreferencedTotal = blobs / 20;
        int perRepoBlobs = Math.max(4, (blobs - BASE_LAYERS - unreferencedTotal) / repos);
        int perRepoLayers = Math.max(3, perRepoBlobs - 2 * perRepoManifests);
        int perRepoUnreferenced = Math.max(0, unreferencedTotal / repos);
        long[] counts = IntStream.range(0, repos).parallel().mapToObj(r -> {
            SplittableRandom rnd = new SplittableRandom(1000L + r);
            String name = "team" + (r % 50) + "/app" + r;
            Path repo = v2.resolve("repositories/" + name);
            List<String> layers = new ArrayList<>();
            for (int i = 0; i < perRepoLayers; i++) {
                String d = blob(v2, randomBytes(rnd, 64 + rnd.nextInt(960)));
                layers.add(d);
                link(repo.resolve("_layers"), d);
            }
            long untagged = 0;
            int tagged = (int) IntStream.range(0, perRepoManifests).filter(m -> !untagged(m)).count();
            for (int m = 0, t = 0; m < perRepoManifests; m++) {
                byte[] cfg = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"repo\":\"" + name + "\",\"n\":" + m + "}")
                        .getBytes(StandardCharsets.UTF_8);
                String c = blob(v2, cfg);
                link(repo.resolve("_layers"), c);
                StringBuilder ls = new StringBuilder();
                String b = base.get(rnd.nextInt(base.size()));
                link(repo.resolve("_layers"), b);
                ls.append(desc(LAYER_TYPE, b, size(v2, b)));
                List<String> own = new ArrayList<>();
                if (untagged(m) || tagged == 0) {
                    for (int k = 0; k < 3; k++) {
                        own.add(layers.get(rnd.nextInt(layers.size())));
                    }
                } else {
                    for (int i = t++; i < layers.size(); i += tagged) {
                        own.add(layers.get(i)); // dealt round the tagged manifests: each layer in use
                    }
                }
                for (String l : own) {
                    ls.append(',').append(desc(LAYER_TYPE, l, size(v2, l)));
                }
                byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\",\"config\":"
                        + desc(CONFIG_TYPE, c, cfg.length) + ",\"layers\":[" + ls + "]}").getBytes(StandardCharsets.UTF_8);
                String md = blob(v2, manifest);
                link(repo.resolve("_manifests/revisions"), md);
                if (untagged(m)) {
                    untagged++;
                    // it was tagged once: its tag (v<m-1>, tagged) moved on to another manifest. Not
                    // v<m+1>: for the last manifest that tag has no current link, a damaged tag that
                    // gc -m keeps its repository whole for
                    link(repo.resolve("_manifests/tags/v" + (m - 1) + "/index"), md);
                } else {
                    link(repo.resolve("_manifests/tags/v" + m + "/index"), md);
                    write(repo.resolve("_manifests/tags/v" + m + "/current/link"), md.getBytes(StandardCharsets.US_ASCII));
                }
            }
            for (int u = 0; u < perRepoUnreferenced; u++) {
                link(repo.resolve("_layers"), blob(v2, randomBytes(rnd, 64 + rnd.nextInt(960))));
            }
            return new long[] {perRepoManifests, untagged, perRepoLayers + perRepoManifests * 2L + perRepoUnreferenced,
                    perRepoUnreferenced};
        }).reduce(new long[4], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]});
        return new Stats(counts[0], counts[1], counts[2] + BASE_LAYERS, counts[3]);
    }

    private static boolean untagged(int m) {
        return m % 5 == 4;
    }

    private static String desc(String type, String digest, long size) {
        return "{\"mediaType\":\"" + type + "\",\"size\":" + size + ",\"digest\":\"" + digest + "\"}";
    }

    private static long size(Path v2, String digest) {
        try {
            return Files.size(blobPath(v2, digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path blobPath(Path v2, String digest) {
        String hex = digest.substring(7);
        return v2.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    private static String blob(Path v2, byte[] content) {
        String d = "sha256:" + HexFormat.of().formatHex(sha256(content));
        Path p = blobPath(v2, d);
        if (!Files.exists(p)) {
            write(p, content);
        }
        return d;
    }

    private static void link(Path dir, String digest) {
        write(dir.resolve("sha256/" + digest.substring(7) + "/link"), digest.getBytes(StandardCharsets.US_ASCII));
    }

    private static void write(Path p, byte[] content) {
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.berth.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Assertions about a registry storage root in distribution's layout ({@code docker/registry/v2/...}). */
public final class StorageChecks {
    private StorageChecks() {}

    public static Path v2(Path storageRoot) {
        return storageRoot.resolve("docker/registry/v2");
    }

    /** {@code blobs/sha256/<xx>/<hex>/data} for a digest. */
    public static Path blobData(Path storageRoot, String digest) {
        String hex = hex(digest);
        return v2(storageRoot).resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    public static Path layerLink(Path storageRoot, String repo, String digest) {
        return v2(storageRoot).resolve("repositories/" + repo + "/_layers/sha256/" + hex(digest) + "/link");
    }

    /**
     * Walks every regular file under {@code blobs/} and re-hashes it: each must be a {@code data} file
     * at {@code blobs/sha256/<first two hex>/<hex>/data} whose content hashes to {@code <hex>}. Any
     * other file there (a temp file, a truncated blob) fails. Returns the digests found.
     */
    public static List<String> assertEveryBlobHashesToItsPath(Path storageRoot) {
        Path blobs = v2(storageRoot).resolve("blobs");
        List<String> found = new ArrayList<>();
        if (!Files.exists(blobs)) {
            return found;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(blobs)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            Path rel = blobs.relativize(f);
            assertEquals(4, rel.getNameCount(), "unexpected file in the blob store: " + f);
            assertEquals("sha256", rel.getName(0).toString(), "unexpected file in the blob store: " + f);
            assertEquals("data", rel.getName(3).toString(), "unexpected file in the blob store: " + f);
            String hex = rel.getName(2).toString();
            assertEquals(hex.substring(0, 2), rel.getName(1).toString(), "blob in the wrong fan-out dir: " + f);
            String actual = sha256(f);
            assertEquals("sha256:" + hex, actual, "blob content does not hash to its path: " + f);
            found.add(actual);
        }
        return found;
    }

    /**
     * Pulls the index at {@code ref} with every platform into {@code layout} and checks it is what
     * was pushed: the index's bytes, and each child's manifest, layers and blobs.
     */
    public static void assertPullsIndex(String ref, Path layout, TestImages.Index index) {
        assertArrayEquals(index.indexBytes(), Skopeo.inspectRawBytes(ref));
        Skopeo.copyAll(ref, Skopeo.oci(layout, index.tag()));
        assertEquals(index.indexDigest(), TestImages.resolveTag(layout, index.tag()).digest());
        for (TestImages.Image child : index.manifests()) {
            assertArrayEquals(child.manifestBytes(), TestImages.readBlob(layout, child.manifestDigest()));
            assertEquals(child.layerDigests(), TestImages.layerDigests(layout, child.manifestDigest()));
            assertLayoutHasBlobs(layout, child);
        }
    }

    /** Every blob of {@code img} is in the pulled layout, with its size, hashing to its digest. */
    public static void assertLayoutHasBlobs(Path layout, TestImages.Image img) {
        List<TestImages.Blob> blobs = new ArrayList<>(img.layers());
        blobs.add(img.config());
        for (TestImages.Blob b : blobs) {
            Path p = TestImages.blobPath(layout, b.digest());
            assertTrue(Files.isRegularFile(p), "missing pulled blob " + p);
            assertEquals(b.digest(), StorageChecks.sha256(p), p.toString());
            try {
                assertEquals(b.size(), Files.size(p), p.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A {@code dir:} copy holds each blob as a file named by its hex digest. */
    public static void assertDirHasBlobs(Path dir, List<String> digests) {
        for (String d : digests) {
            Path p = dir.resolve(d.substring("sha256:".length()));
            assertTrue(Files.isRegularFile(p), "missing " + p);
            assertEquals(d, StorageChecks.sha256(p), p.toString());
        }
    }

    public static String sha256(Path file) {
        MessageDigest md = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] bytes, int off, int len) {
        MessageDigest md = newSha256();
        md.update(bytes, off, len);
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    /** The repositories under {@code repositories/} that have {@code _manifests}, sorted. */
    public static List<String> repositoriesOnDisk(Path storageRoot) {
        Path repos = v2(storageRoot).resolve("repositories");
        try (Stream<Path> walk = Files.walk(repos)) {
            return walk.filter(p -> p.getFileName().toString().equals("_manifests") && Files.isDirectory(p))
                    .map(p -> repos.relativize(p.getParent()).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void assertLink(Path link, String digest) {
        assertTrue(Files.isRegularFile(link), "missing link " + link);
        try {
            assertEquals(digest, Files.readString(link), link.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hex(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring("sha256:".length());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.berth.server.it.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.it.Http;
import io.berth.server.it.Processes;
import io.berth.server.it.StorageChecks;
import io.berth.server.it.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Helpers the gc tests share: file sets of a store, copies, and an independent reading of what each repository references. */
final class GcStores {
    private GcStores() {
    }

    /** Every regular file under the store, relative to {@code docker/registry/v2}. */
    static Set<String> files(Path storageRoot) {
        Path v2 = StorageChecks.v2(storageRoot);
        try (Stream<Path> w = Files.walk(v2)) {
            return w.filter(Files::isRegularFile).map(p -> v2.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code cp -a}: modification times preserved, so both gc runs see the same ages. */
    static Path copy(Path from, Path to) {
        Processes.runChecked(List.of("cp", "-a", from.toString(), to.toString()), null, Duration.ofMinutes(2));
        return to;
    }

    static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    static String blobPath(String digest) {
        String hex = digest.substring("sha256:".length());
        return "blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data";
    }

    static String revisionPath(String repo, String digest) {
        return "repositories/" + repo + "/_manifests/revisions/sha256/" + digest.substring("sha256:".length()) + "/link";
    }

    static String layerPath(String repo, String digest) {
        return "repositories/" + repo + "/_layers/sha256/" + digest.substring("sha256:".length()) + "/link";
    }

    /**
     * Per repository, the digests its revisions reference (their own, config, layers, fsLayers,
     * child manifests), read straight from the JSON: the test's own view, not gc's code.
     */
    static Map<String, Set<String>> referencedByRevisions(Path storageRoot) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String f : files(storageRoot)) {
            int at = f.indexOf("/_manifests/revisions/sha256/");
            if (!f.startsWith("repositories/") || at < 0) {
                continue;
            }
            String repo = f.substring("repositories/".length(), at);
            String digest = Files.readString(StorageChecks.v2(storageRoot).resolve(f)).trim();
            Set<String> refs = out.computeIfAbsent(repo, k -> new TreeSet<>());
            refs.add(digest);
            Path blob = StorageChecks.v2(storageRoot).resolve(blobPath(digest));
            if (!Files.exists(blob)) {
                continue;
            }
            JsonNode m = TestImages.parseJson(Files.readAllBytes(blob));
            if (m.has("config")) {
                refs.add(m.path("config").path("digest").asText());
            }
            m.path("layers").forEach(l -> refs.add(l.path("digest").asText()));
            m.path("manifests").forEach(l -> refs.add(l.path("digest").asText()));
            m.path("fsLayers").forEach(l -> refs.add(l.path("blobSum").asText()));
        }
        return out;
    }

    /** Layer links whose digest no revision of their repository references. */
    static Set<String> unreferencedLayerLinks(Path storageRoot) throws IOException {
        Map<String, Set<String>> refs = referencedByRevisions(storageRoot);
        Set<String> out = new TreeSet<>();
        for (String f : files(storageRoot)) {
            int at = f.indexOf("/_layers/sha256/");
            if (f.startsWith("repositories/") && at >= 0) {
                String repo = f.substring("repositories/".length(), at);
                String hex = f.substring(at + "/_layers/sha256/".length(), f.length() - "/link".length());
                if (!refs.getOrDefault(repo, Set.of()).contains("sha256:" + hex)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** Uploads a blob with POST + PUT (distribution and Berth both take it); returns its digest. */
    static String pushBlob(String baseUrl, String repo, byte[] content) {
        String digest = TestImages.sha256(content);
        Http.Response post = Http.post(baseUrl + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
        assertEquals(202, post.status(), post.toString());
        Http.Response put = Http.put(Http.withDigest(Http.resolve(baseUrl, post.header("Location")), digest), content,
                "Content-Type", "application/octet-stream");
        assertEquals(201, put.status(), put.toString());
        return digest;
    }

    /** PUTs a manifest by digest (or tag when {@code ref} is not null); returns its digest. */
    static String pushManifest(String baseUrl, String repo, String ref, String mediaType, byte[] body) {
        String digest = TestImages.sha256(body);
        Http.Response put = Http.put(baseUrl + "/v2/" + repo + "/manifests/" + (ref == null ? digest : ref), body,
                "Content-Type", mediaType);
        assertEquals(201, put.status(), put.toString());
        return digest;
    }

    static void assertAllBlobsPresent(Path storageRoot, Set<String> digests) {
        for (String d : digests) {
            assertTrue(Files.isRegularFile(StorageChecks.v2(storageRoot).resolve(blobPath(d))), "missing blob " + d);
        }
    }
}

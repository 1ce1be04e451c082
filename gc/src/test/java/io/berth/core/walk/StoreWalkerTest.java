package io.berth.core.walk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.Reference;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.StorageDriver;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreWalkerTest {
    @TempDir
    Path dir;

    StorageDriver driver(String kind) {
        return kind.equals("filesystem") ? new FilesystemDriver(dir) : new InMemoryDriver();
    }

    static Digest blob(Repository repo, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(b);
        repo.registry().blobs().putVerified(d, b);
        repo.linkBlob(d);
        return d;
    }

    static String desc(String mediaType, Digest d, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + size + "}";
    }

    static Digest image(Repository repo, String seed, String tag, Digest subject) throws IOException {
        String cfg = "{\"seed\":\"" + seed + "\"}";
        String layer = "layer-" + seed;
        Digest c = blob(repo, cfg);
        Digest l = blob(repo, layer);
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.OCI_CONFIG, c, cfg.length()) + ",\"layers\":["
                + desc("application/vnd.oci.image.layer.v1.tar", l, layer.length()) + "]"
                + (subject == null ? "" : ",\"subject\":" + desc(MediaTypes.OCI_MANIFEST, subject, 1)) + "}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        repo.manifests().put(bytes, MediaTypes.OCI_MANIFEST,
                tag == null ? Reference.parse(d.toString()) : Reference.parse(tag), List.of());
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "inmemory"})
    void walksEveryRepositoryOnceAndTheGraphReachesChildrenAndReferrers(String kind) throws IOException {
        StorageDriver drv = driver(kind);
        Registry reg = new Registry(drv);
        Repository app = reg.repository(RepositoryName.of("acme/app"));
        Repository sub = reg.repository(RepositoryName.of("acme/app/sub"));
        Repository one = reg.repository(RepositoryName.of("acme"));

        Digest a1 = image(app, "a1", null, null);
        Digest a2 = image(app, "a2", null, null);
        String idx = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + desc(MediaTypes.OCI_MANIFEST, a1, 1) + "," + desc(MediaTypes.OCI_MANIFEST, a2, 1) + "]}";
        byte[] idxBytes = idx.getBytes(StandardCharsets.UTF_8);
        Digest index = Digest.sha256(idxBytes);
        app.manifests().put(idxBytes, MediaTypes.OCI_INDEX, Reference.parse("multi"), List.of());
        Digest sig = image(app, "sig", null, index);
        Digest orphan = image(app, "orphan", null, null);
        image(sub, "s", "v1", null);
        image(one, "o", "latest", null);
        app.uploads().start();
        drv.putContent(PathLayout.REPOSITORIES + "/acme/app/_junk", new byte[] {1});

        List<RepositoryEntries> repos = new ArrayList<>();
        List<String> stray = new ArrayList<>();
        Set<Digest> blobs = new TreeSet<>();
        StoreWalker walker = new StoreWalker(drv);
        StoreWalker.Visitor v = new StoreWalker.Visitor() {
            @Override
            public void blob(Digest digest, FileInfo info) {
                blobs.add(digest);
            }

            @Override
            public void repository(RepositoryEntries r) {
                repos.add(r);
            }

            @Override
            public void unrecognised(FileInfo info) {
                stray.add(info.path());
            }
        };
        walker.walkRepositories(v);
        walker.walkBlobs(v);

        assertEquals(List.of("acme", "acme/app", "acme/app/sub"),
                repos.stream().map(r -> r.name().value()).sorted().toList());
        assertEquals(List.of(PathLayout.REPOSITORIES + "/acme/app/_junk"), stray);
        RepositoryEntries appEntries = repos.stream().filter(r -> r.name().value().equals("acme/app")).findFirst().get();
        assertEquals(Set.of(a1, a2, index, sig, orphan), appEntries.revisions().keySet());
        assertEquals(Set.of(Tag.of("multi")), appEntries.tags().keySet());
        assertEquals(1, appEntries.uploads().size());
        assertEquals(8, appEntries.layers().size());
        // 4 images x 2 blobs in acme/app, 2 x 2 elsewhere, plus 6 image manifests and the index
        assertEquals(6 * 2 + 7, blobs.size());

        RepositoryGraph g = RepositoryGraph.load(drv, appEntries);
        assertEquals(index, g.tags().get(Tag.of("multi")));
        assertEquals(Set.of(index), g.taggedRevisions());
        final Set<Digest> reached = g.reachableManifests(g.taggedRevisions());
        assertEquals(Set.of(index, a1, a2, sig), reached);
        Set<Digest> reachedBlobs = g.blobsOf(reached);
        assertEquals(4 + 6, reachedBlobs.size(), () -> reachedBlobs + " manifests " + reached);
        assertTrue(g.unreadable().isEmpty());

        // one repository on its own: the same entries as the full walk, without the nested one's
        RepositoryEntries alone = walker.repository(RepositoryName.of("acme/app"));
        assertEquals(appEntries.layers().keySet(), alone.layers().keySet());
        assertEquals(appEntries.revisions().keySet(), alone.revisions().keySet());
        assertEquals(appEntries.tags().keySet(), alone.tags().keySet());
        assertTrue(alone.uploads().isEmpty(), "uploads are not walked");
        assertEquals(1, walker.repository(RepositoryName.of("acme")).revisions().size());
        assertTrue(walker.repository(RepositoryName.of("nothing/here")).isEmpty());
        // the second look before deleting: revisions and current links as the full walk saw them, no index
        RepositoryEntries roots = walker.walkManifestRoots(RepositoryName.of("acme/app"));
        assertEquals(appEntries.revisions(), roots.revisions());
        assertEquals(appEntries.tags().get(Tag.of("multi")).current(), roots.tags().get(Tag.of("multi")).current());
        assertFalse(appEntries.tags().get(Tag.of("multi")).index().isEmpty());
        assertTrue(roots.tags().get(Tag.of("multi")).index().isEmpty());
        assertTrue(roots.layers().isEmpty());
        // gc's re-check: layer links, revisions and current links of every repository, no index, no uploads
        List<RepositoryEntries> refs = new ArrayList<>();
        walker.walkRepositoryReferences(PathLayout.REPOSITORIES, new StoreWalker.Visitor() {
            @Override
            public void repository(RepositoryEntries r) {
                refs.add(r);
            }
        });
        assertEquals(repos.size(), refs.size());
        RepositoryEntries appRefs = refs.stream().filter(r -> r.name().value().equals("acme/app")).findFirst().get();
        assertEquals(appEntries.layers(), appRefs.layers());
        assertEquals(appEntries.revisions(), appRefs.revisions());
        assertEquals(appEntries.tags().get(Tag.of("multi")).current(), appRefs.tags().get(Tag.of("multi")).current());
        assertTrue(appRefs.tags().get(Tag.of("multi")).index().isEmpty());
        assertTrue(appRefs.uploads().isEmpty());

        drv.delete(PathLayout.blobData(a2));
        RepositoryGraph g2 = RepositoryGraph.load(drv, appEntries);
        assertEquals(Set.of(index, a1, a2, sig), g2.reachableManifests(Set.of(index)));
        assertEquals(Set.of(a2), g2.unreadable().keySet());
    }
}

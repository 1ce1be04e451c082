package io.berth.migrate.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.gc.job.JsonReports;
import io.berth.migrate.copy.CopyReport.TagRef;
import io.berth.storage.filesystem.FilesystemDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source stays online: later passes copy exactly what changed, dry runs write nothing, filters hold. */
class FinalPassTest {
    @TempDir
    Path tmp;

    static CopyReport copy(FilesystemDriver from, FilesystemDriver to) throws Exception {
        return new StoreCopier(from, to, new CopyOptions(3, false, null, false)).run(null);
    }

    @Test
    void laterPassesCopyOnlyWhatChangedAndMirrorSafeTagDeletions() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("src"));
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("dst"));
        SampleStore s = SampleStore.build(src);
        assertTrue(copy(src, dst).clean());

        // a new blob in a repository and a new tag on an existing manifest
        Repository alpine = s.registry.repository(SampleStore.ALPINE);
        byte[] extra = SampleStore.random(123_457, 77);
        SampleStore.blob(alpine, extra);
        SampleStore.tag(alpine, "edge", s.alpineOld);
        CopyReport second = copy(src, dst);
        String json = CopyRoundTripTest.json(second);
        assertTrue(second.clean(), json);
        assertEquals(1, second.blobsCopied(), json);
        assertEquals(extra.length, second.bytesCopied(), json);
        assertEquals(1, second.layerLinksCopied(), json);
        assertEquals(1, second.tagsCopied(), json);
        assertEquals(0, second.manifestsCopied(), json);
        assertEquals(Trees.of(src), Trees.of(dst));

        // a new image, a tag moved back, a tag deleted at the source
        Repository app = s.registry.repository(SampleStore.APP);
        Digest fresh = SampleStore.image(app, "fresh", List.of(SampleStore.blob(app, SampleStore.random(4096, 78))),
                "fresh", null);
        SampleStore.tag(alpine, "latest", s.alpineOld);
        assertTrue(alpine.tags().untag(Tag.of("3.18")));
        // and a tag pushed only at the destination, on a manifest the source never had
        Registry there = new Registry(dst);
        Repository dstAlpine = there.repository(SampleStore.ALPINE);
        SortedMap<String, String> before = Trees.of(dst);
        Digest local = SampleStore.image(dstAlpine, "local", List.of(s.sharedLayer), "local-only", null);
        SortedMap<String, String> localFiles = Trees.of(dst);
        localFiles.keySet().removeAll(before.keySet());

        CopyReport third = copy(src, dst);
        json = CopyRoundTripTest.json(third);
        assertTrue(third.clean(), json);
        assertEquals(3, third.blobsCopied(), json); // config, layer, manifest
        assertEquals(1, third.manifestsCopied(), json);
        assertEquals(2, third.tagsCopied(), json); // fresh, latest
        assertEquals(List.of(new TagRef("library/alpine", "3.18")), third.tagsDeleted(), json);
        assertEquals(List.of(new TagRef("library/alpine", "local-only")), third.tagsKept(), json);
        assertEquals(fresh, there.repository(SampleStore.APP).tags().resolve(Tag.of("fresh")).orElseThrow());
        assertEquals(s.alpineOld, dstAlpine.tags().resolve(Tag.of("latest")).orElseThrow());
        assertEquals(local, dstAlpine.tags().resolve(Tag.of("local-only")).orElseThrow());

        // the destination is the source again, plus what only the destination had
        SortedMap<String, String> expected = Trees.of(src);
        expected.putAll(localFiles);
        assertEquals(expected, Trees.of(dst));
    }

    @Test
    void dryRunPlansTheCopyAndWritesNothing() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("src"));
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("dst"));
        SampleStore.build(src);
        CopyReport plan = new StoreCopier(src, dst, new CopyOptions(2, true, null, false)).run(null);
        assertTrue(plan.dryRun());
        assertTrue(Trees.of(dst).isEmpty(), "a dry run writes nothing");
        assertFalse(Files.exists(tmp.resolve("dst")), "not even the root");
        CopyReport real = copy(src, dst);
        assertEquals(real.blobsCopied(), plan.blobsCopied());
        assertEquals(real.bytesCopied(), plan.bytesCopied());
        assertEquals(real.manifestsCopied(), plan.manifestsCopied());
        assertEquals(real.tagsCopied(), plan.tagsCopied());
        assertEquals(real.layerLinksCopied(), plan.layerLinksCopied());

        // the report is JSON for the command's --report
        Path file = tmp.resolve("report.json");
        JsonReports.write(file, real);
        JsonNode node = JsonReports.mapper().readTree(file.toFile());
        assertTrue(node.path("clean").asBoolean());
        assertEquals(real.blobsCopied(), node.path("blobsCopied").asLong());
        assertEquals(real, JsonReports.mapper().readValue(file.toFile(), CopyReport.class));
    }

    @Test
    void filterCopiesSomeRepositoriesWithEverythingTheyNeed() throws Exception {
        FilesystemDriver src = new FilesystemDriver(tmp.resolve("src"));
        FilesystemDriver dst = new FilesystemDriver(tmp.resolve("dst"));
        SampleStore s = SampleStore.build(src);
        CopyReport r = new StoreCopier(src, dst, new CopyOptions(2, false,
                n -> n.value().startsWith("team/app/"), false)).run(null);
        assertTrue(r.clean(), CopyRoundTripTest.json(r));
        assertEquals(1, r.repositories());
        Registry there = new Registry(dst);
        assertEquals(List.of(SampleStore.TOOLS), there.catalog(null, 100));
        Repository tools = there.repository(SampleStore.TOOLS);
        assertEquals(s.tools, tools.tags().resolve(Tag.of("v1")).orElseThrow());
        assertTrue(tools.statBlob(s.sharedLayer).isPresent(), "the layer it shares with library/alpine came too");
        assertFalse(there.repository(RepositoryName.of("library/alpine")).exists());
        assertFalse(there.blobs().stat(s.bigLayer).isPresent(), "team/app's blobs stayed behind");
    }
}

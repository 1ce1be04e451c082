package io.berth.migrate.v1;

import io.berth.migrate.v1.V1StoreBuilder.Checksum;
import io.berth.migrate.v1.V1StoreBuilder.Stored;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The V1 stores the tests migrate: one of normal content, one with every anomaly of the spec's table. */
public final class V1Fixtures {
    private V1Fixtures() {
    }

    /** A V1 tag and where it must land: {@code chain} root first. */
    public record Expected(String v1Repository, String repository, String tag, List<String> chain) {
    }

    /**
     * gzip (sync-flushed, with and without end blocks, empty as 1024 NULs and as nothing), xz,
     * bzip2 and plain (record-padded) layers; images shared across repositories; a deep chain
     * with empty layers; docker 0.5-style and docker 1.10-style JSON; a three-component name
     * stored escaped; a {@code _beta} tag whose metadata looks like a tag.
     */
    public static List<Expected> normalStore(V1StoreBuilder b, int layerSize) {
        List<Expected> out = new ArrayList<>();
        String root = b.image().tar(b.layerTar(layerSize)).cmd("/bin/sh -c #(nop) ADD file:6e2b in /").push();
        String base = b.image().parent(root).push(); // CMD: empty layer, 1024 NULs in gzip
        b.tag("library", "base", "latest", base);
        b.tag("library", "base", "1.0", base);
        out.add(new Expected("library/base", "base", "latest", List.of(root, base)));
        out.add(new Expected("library/base", "base", "1.0", List.of(root, base)));

        List<String> deep = b.chain(base, 13, layerSize); // every third image empty
        b.tag("team", "app1", "v1", deep.get(deep.size() - 1));
        List<String> deepChain = new ArrayList<>(List.of(root, base));
        deepChain.addAll(deep);
        out.add(new Expected("team/app1", "team/app1", "v1", deepChain));

        String xz = b.image().parent(base).tar(b.layerTar(layerSize)).stored(Stored.XZ).push();
        String bz = b.image().parent(xz).tar(b.layerTar(layerSize)).stored(Stored.BZIP2).push();
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("etc/", new byte[0]);
        files.put("etc/motd", "plain tar from a script\n".getBytes(StandardCharsets.UTF_8));
        String plain = b.image().parent(bz).tar(TarBytes.of(files, true, true)).stored(Stored.TAR).push();
        String plainEmpty = b.image().parent(plain).stored(Stored.TAR).push(); // 1024 NULs, not gzip
        b.tag("team", "app2", "latest", plainEmpty);
        out.add(new Expected("team/app2", "team/app2", "latest", List.of(root, base, xz, bz, plain, plainEmpty)));
        b.tag("team", "app2", "_beta", xz); // file tag__beta, metadata tag_beta_json
        out.add(new Expected("team/app2", "team/app2", "_beta", List.of(root, base, xz)));

        // docker 0.5: xz, x86_64 without os, bare-string checksum
        String old = b.image().oldDocker().tar(b.layerTar(layerSize)).stored(Stored.XZ).checksum(Checksum.BARE_STRING).push();
        // docker 0.6-1.2: gzip without end blocks; the empty layer is gzip of nothing
        String noEnd = b.image().parent(old).oldDocker().tar(noEndMarker(b.layerTar(layerSize))).push();
        String gzEmpty = b.image().parent(noEnd).oldDocker().tar(new byte[0]).push();
        b.tag("olddocker", "thing", "latest", gzEmpty);
        out.add(new Expected("olddocker/thing", "olddocker/thing", "latest", List.of(old, noEnd, gzEmpty)));

        // docker 1.10 pushing to V1: dependency images carry only id and parent
        String dep1 = b.image().dependencyOnly().tar(b.layerTar(layerSize)).push();
        String dep2 = b.image().dependencyOnly().parent(dep1).tar(b.layerTar(layerSize)).push();
        String top = b.image().parent(dep2).push();
        b.tag("modern", "tool", "2.0", top);
        out.add(new Expected("modern/tool", "modern/tool", "2.0", List.of(dep1, dep2, top)));

        // docker 0.8 era: checksums are tarsums (bare string from registry 0.6, [payload, tarsum] from 0.8,
        // a tarsum list over an empty gzip stream)
        String ancient = b.image().tarsumEra().tar(noEndMarker(b.layerTar(layerSize))).push();
        String ancientMid = b.image().tarsumEra().parent(ancient).tar(noEndMarker(b.layerTar(layerSize)))
                .checksum(Checksum.PAYLOAD_AND_TARSUM).push();
        String ancientTop = b.image().tarsumEra().parent(ancientMid).tar(new byte[0]).checksum(Checksum.TARSUM_ONLY).push();
        b.tag("ancient", "tool", "0.8", ancientTop);
        out.add(new Expected("ancient/tool", "ancient/tool", "0.8", List.of(ancient, ancientMid, ancientTop)));

        // a/b/c as registry >= 0.8.1 stored it: repositories/team/sub%252Fapp
        b.tag("team", "sub%252Fapp", "latest", base);
        out.add(new Expected("team/sub/app", "team/sub/app", "latest", List.of(root, base)));
        return out;
    }

    /** The tar without its two trailing zero blocks, as docker 0.6 to 1.2 pushed it. */
    public static byte[] noEndMarker(byte[] tar) {
        return java.util.Arrays.copyOf(tar, tar.length - 1024);
    }

    /** The tar with one content byte of its first non-empty regular file changed: same size, headers intact. */
    public static byte[] tamperContent(byte[] tar) {
        byte[] t = tar.clone();
        for (int off = 0; off + 512 <= t.length; ) {
            long size = TarCheck.parseOctal(t, off + 124, 12);
            if ((t[off + 156] == '0' || t[off + 156] == 0) && size > 0) {
                t[off + 512] ^= 0x20;
                return t;
            }
            off += 512 + (int) ((size + 511) / 512 * 512);
        }
        throw new IllegalArgumentException("no regular file with content to tamper with");
    }

    /** The tar with the first entry's mtime moved one second: a valid header, the same content. */
    public static byte[] tamperMtime(byte[] tar) {
        byte[] t = tar.clone();
        long mtime = TarCheck.parseOctal(t, 136, 12);
        byte[] field = String.format("%011o", mtime + 1).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, t, 136, 11);
        TarBytes.checksum(java.util.Arrays.copyOfRange(t, 0, 512), t);
        return t;
    }

    /** Expected outcome of the anomaly store: kind → (repository, tag, image id) that must be reported. */
    public record ExpectedAnomaly(Anomaly.Kind kind, String repository, String tag, String imageId) {
    }

    /** A store with every anomaly of the spec's table, plus one good tag ({@code good/one:ok}). */
    public static List<ExpectedAnomaly> anomalyStore(V1StoreBuilder b, List<Expected> good) {
        List<ExpectedAnomaly> out = new ArrayList<>();
        String ok = b.image().tar(b.layerTar(1000)).push();
        b.tag("good", "one", "ok", ok);
        good.add(new Expected("good/one", "good/one", "ok", List.of(ok)));

        String missing = b.newId();
        b.tag("bad", "missing", "latest", missing);
        out.add(new ExpectedAnomaly(Anomaly.Kind.TAG_IMAGE_MISSING, "bad/missing", "latest", missing));

        String gone = b.image().tar(b.layerTar(100)).push();
        String child = b.image().parent(gone).tar(b.layerTar(100)).push();
        b.delete("/images/" + gone);
        b.tag("bad", "parent", "latest", child);
        out.add(new ExpectedAnomaly(Anomaly.Kind.PARENT_MISSING, "bad/parent", "latest", gone));

        String orphan = b.image().tar(b.layerTar(100)).push();
        out.add(new ExpectedAnomaly(Anomaly.Kind.ORPHAN_IMAGE, null, null, orphan));

        String incomplete = b.image().parent(ok).tar(b.layerTar(100)).inProgress().checksum(Checksum.NONE).push();
        b.tag("bad", "incomplete", "latest", incomplete);
        out.add(new ExpectedAnomaly(Anomaly.Kind.IMAGE_UPLOAD_INCOMPLETE, "bad/incomplete", "latest", incomplete));
        String untaggedIncomplete = b.image().tar(b.layerTar(100)).inProgress().checksum(Checksum.NONE).push();
        out.add(new ExpectedAnomaly(Anomaly.Kind.IMAGE_UPLOAD_INCOMPLETE, null, null, untaggedIncomplete));

        byte[] tar = b.layerTar(5000);
        byte[] gz = V1StoreBuilder.compress(tar, V1StoreBuilder.Stored.GZIP);
        byte[] half = java.util.Arrays.copyOf(gz, gz.length / 2);
        String truncated = b.image().parent(ok).tar(tar).storedBytes(half).push(); // checksum of the full layer
        b.tag("bad", "truncated", "latest", truncated);
        out.add(new ExpectedAnomaly(Anomaly.Kind.LAYER_CHECKSUM_MISMATCH, "bad/truncated", "latest", truncated));
        String corrupt = b.image().tar(tar).storedBytes(half).checksum(Checksum.NONE).push();
        b.tag("bad", "corrupt", "latest", corrupt);
        out.add(new ExpectedAnomaly(Anomaly.Kind.LAYER_CORRUPT, "bad/corrupt", "latest", corrupt));
        // a second tag reaching the corrupt layer through a child image: skipped as well
        String above = b.image().parent(corrupt).tar(b.layerTar(100)).push();
        b.tag("bad", "corrupt", "above", above);
        out.add(new ExpectedAnomaly(Anomaly.Kind.LAYER_CORRUPT, "bad/corrupt", "above", corrupt));

        String zero = b.image().tar(b.layerTar(100)).storedBytes(new byte[0]).checksum(Checksum.NONE).push();
        b.tag("bad", "zero", "latest", zero);
        out.add(new ExpectedAnomaly(Anomaly.Kind.LAYER_EMPTY_FILE, "bad/zero", "latest", zero));

        String notTar = b.image().tar(b.randomBytes(3000)).stored(Stored.TAR).push();
        b.tag("bad", "nottar", "latest", notTar);
        out.add(new ExpectedAnomaly(Anomaly.Kind.LAYER_NOT_A_TAR, "bad/nottar", "latest", notTar));

        String noSum = b.image().tar(b.layerTar(100)).checksum(Checksum.NONE).push();
        b.tag("warn", "nosum", "latest", noSum);
        good.add(new Expected("warn/nosum", "warn/nosum", "latest", List.of(noSum)));
        out.add(new ExpectedAnomaly(Anomaly.Kind.CHECKSUM_MISSING, "warn/nosum", "latest", noSum));
        String unknownSum = b.image().tar(b.layerTar(100)).checksum(Checksum.UNKNOWN_FORMAT).push();
        b.tag("warn", "legacysum", "latest", unknownSum);
        good.add(new Expected("warn/legacysum", "warn/legacysum", "latest", List.of(unknownSum)));
        out.add(new ExpectedAnomaly(Anomaly.Kind.CHECKSUM_UNVERIFIABLE_LEGACY, "warn/legacysum", "latest", unknownSum));
        // a tarsum-era layer changed after the push, still a valid gzip of a valid tar: only the tarsum tells
        byte[] era = noEndMarker(b.layerTar(2000));
        String tampered = b.image().tarsumEra().tar(era).storedBytes(V1StoreBuilder.compress(tamperContent(era), Stored.GZIP))
                .push();
        b.tag("bad", "tarsum", "latest", tampered);
        out.add(new ExpectedAnomaly(Anomaly.Kind.LAYER_CHECKSUM_MISMATCH, "bad/tarsum", "latest", tampered));
        String onTampered = b.image().tarsumEra().parent(tampered).tar(noEndMarker(b.layerTar(100))).push();
        b.tag("bad", "tarsum", "above", onTampered);
        out.add(new ExpectedAnomaly(Anomaly.Kind.LAYER_CHECKSUM_MISMATCH, "bad/tarsum", "above", tampered));

        String mismatch = b.image().declaredId(b.newId()).tar(b.layerTar(100)).push();
        b.tag("bad", "idmismatch", "latest", mismatch);
        out.add(new ExpectedAnomaly(Anomaly.Kind.JSON_ID_MISMATCH, "bad/idmismatch", "latest", mismatch));
        String invalidJson = b.image().rawJson("{\"id\": \"trunc".getBytes(StandardCharsets.UTF_8)).push();
        b.tag("bad", "json", "latest", invalidJson);
        out.add(new ExpectedAnomaly(Anomaly.Kind.JSON_INVALID, "bad/json", "latest", invalidJson));

        String ancestryWrong = b.image().parent(ok).tar(b.layerTar(100)).ancestry(List.of("0123456789abcdef")).push();
        b.tag("warn", "ancestry", "latest", ancestryWrong);
        good.add(new Expected("warn/ancestry", "warn/ancestry", "latest", List.of(ok, ancestryWrong)));
        out.add(new ExpectedAnomaly(Anomaly.Kind.ANCESTRY_MISMATCH, "warn/ancestry", "latest", ancestryWrong));

        String c1 = b.newId();
        String c2 = b.newId();
        b.image().id(c1).parent(c2).tar(b.layerTar(100)).push();
        b.image().id(c2).parent(c1).tar(b.layerTar(100)).push();
        b.tag("bad", "cycle", "latest", c1);
        out.add(new ExpectedAnomaly(Anomaly.Kind.PARENT_CYCLE, "bad/cycle", "latest", c1));

        b.put("/repositories/bad/meta/tag_latest", ok.getBytes(StandardCharsets.US_ASCII));
        b.put("/repositories/bad/meta/tag__beta", ok.getBytes(StandardCharsets.US_ASCII));
        b.put("/repositories/bad/meta/tag_beta_json", "{\"last_update\": 1}".getBytes(StandardCharsets.UTF_8));
        good.add(new Expected("bad/meta", "bad/meta", "latest", List.of(ok)));
        good.add(new Expected("bad/meta", "bad/meta", "_beta", List.of(ok)));
        out.add(new ExpectedAnomaly(Anomaly.Kind.TAG_METADATA_COLLISION, "bad/meta", "_beta", null));

        b.put("/repositories/bad/content/tag_latest", ("\"" + ok + "\"").getBytes(StandardCharsets.US_ASCII));
        out.add(new ExpectedAnomaly(Anomaly.Kind.TAG_INVALID_CONTENT, "bad/content", "latest", null));

        b.tag("legacy", "OldApp", "latest", ok);
        out.add(new ExpectedAnomaly(Anomaly.Kind.INVALID_REPOSITORY_NAME, "legacy/OldApp", "latest", ok));
        b.tag("legacy", "odd._name", "latest", ok);
        out.add(new ExpectedAnomaly(Anomaly.Kind.INVALID_REPOSITORY_NAME, "legacy/odd._name", "latest", ok));
        b.tag("bad", "tags", "v%2B1", ok); // tag "v+1"
        out.add(new ExpectedAnomaly(Anomaly.Kind.INVALID_TAG, "bad/tags", "v+1", ok));

        b.put("/repositories/bad/untagged/_index_images", ("[{\"id\": \"" + ok + "\"}]").getBytes(StandardCharsets.UTF_8));
        out.add(new ExpectedAnomaly(Anomaly.Kind.REPOSITORY_WITHOUT_TAGS, "bad/untagged", null, null));
        b.put("/repositories/good/one/_private", new byte[0]);
        out.add(new ExpectedAnomaly(Anomaly.Kind.REPOSITORY_PRIVATE, "good/one", null, null));

        b.tag("library", "lib", "latest", ok);
        good.add(new Expected("library/lib", "lib", "latest", List.of(ok)));
        out.add(new ExpectedAnomaly(Anomaly.Kind.LIBRARY_NAMESPACE_MAPPED, "library/lib", null, null));
        b.tag("team", "x%252Fy", "latest", ok);
        good.add(new Expected("team/x/y", "team/x/y", "latest", List.of(ok)));
        out.add(new ExpectedAnomaly(Anomaly.Kind.ESCAPED_NAME, "team/x/y", null, null));
        return out;
    }

    /** Upper-case names that lower-case to one name: with --lowercase-names, a collision. */
    public static void collidingNames(V1StoreBuilder b, String image) {
        b.tag("legacy", "Twin", "latest", image);
        b.tag("legacy", "TWIN", "latest", image);
    }
}

package io.berth.core.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.digest.InvalidDigestException;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathLayoutTest {
    static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final Digest D = Digest.parse("sha256:" + HEX);
    static final String HEX512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    static final Digest D512 = Digest.parse("sha512:" + HEX512);
    static final RepositoryName NAME = RepositoryName.of("library/ubuntu");
    static final Tag TAG = Tag.of("latest");
    static final String UUID = "0b7b8e29-1a3a-4cbb-9b55-1f3c5a7d2e10";
    static final String REPO = "/docker/registry/v2/repositories/library/ubuntu";

    @Test
    void roots() {
        assertEquals("/docker/registry/v2", PathLayout.ROOT);
        assertEquals("/docker/registry/v2/blobs", PathLayout.BLOBS);
        assertEquals("/docker/registry/v2/repositories", PathLayout.REPOSITORIES);
        assertEquals("/docker/registry/v2/blobs/sha256", PathLayout.blobsDir(DigestAlgorithm.SHA256));
        assertEquals("/docker/registry/v2/blobs/sha512", PathLayout.blobsDir(DigestAlgorithm.SHA512));
    }

    @Test
    void blobPaths() {
        assertEquals("/docker/registry/v2/blobs/sha256/e3/" + HEX, PathLayout.blobDir(D));
        assertEquals("/docker/registry/v2/blobs/sha256/e3/" + HEX + "/data", PathLayout.blobData(D));
        assertEquals("/docker/registry/v2/blobs/sha512/cf/" + HEX512 + "/data", PathLayout.blobData(D512));
    }

    @Test
    void repositoryPaths() {
        assertEquals(REPO, PathLayout.repository(NAME));
        assertEquals(REPO + "/_layers", PathLayout.layersDir(NAME));
        assertEquals(REPO + "/_layers/sha256/" + HEX, PathLayout.layerDir(NAME, D));
        assertEquals(REPO + "/_layers/sha256/" + HEX + "/link", PathLayout.layerLink(NAME, D));
        assertEquals(REPO + "/_layers/sha512/" + HEX512 + "/link", PathLayout.layerLink(NAME, D512));
        assertEquals(REPO + "/_manifests", PathLayout.manifestsDir(NAME));
        assertEquals(REPO + "/_manifests/revisions", PathLayout.revisionsDir(NAME));
        assertEquals(REPO + "/_manifests/revisions/sha256/" + HEX, PathLayout.revisionDir(NAME, D));
        assertEquals(REPO + "/_manifests/revisions/sha256/" + HEX + "/link", PathLayout.revisionLink(NAME, D));
        assertEquals(REPO + "/_manifests/tags", PathLayout.tagsDir(NAME));
        assertEquals(REPO + "/_manifests/tags/latest", PathLayout.tagDir(NAME, TAG));
        assertEquals(REPO + "/_manifests/tags/latest/current/link", PathLayout.tagCurrentLink(NAME, TAG));
        assertEquals(REPO + "/_manifests/tags/latest/index", PathLayout.tagIndexDir(NAME, TAG));
        assertEquals(REPO + "/_manifests/tags/latest/index/sha256/" + HEX + "/link",
                PathLayout.tagIndexLink(NAME, TAG, D));
        assertEquals(REPO + "/_uploads", PathLayout.uploadsDir(NAME));
        assertEquals(REPO + "/_uploads/" + UUID, PathLayout.uploadDir(NAME, UUID));
        assertEquals(REPO + "/_uploads/" + UUID + "/data", PathLayout.uploadData(NAME, UUID));
        assertEquals(REPO + "/_uploads/" + UUID + "/startedat", PathLayout.uploadStartedAt(NAME, UUID));
        assertEquals(REPO + "/_uploads/" + UUID + "/hashstates", PathLayout.uploadHashStates(NAME, UUID));
    }

    @Test
    void singleComponentNameAndOddTag() {
        RepositoryName n = RepositoryName.of("a");
        Tag t = Tag.of("_v1.0-rc.1");
        assertEquals("/docker/registry/v2/repositories/a/_manifests/tags/_v1.0-rc.1/current/link",
                PathLayout.tagCurrentLink(n, t));
    }

    @Test
    void everyPathIsAValidStoragePath() {
        RepositoryName deep = RepositoryName.of("a.b/c__d/e---f/" + "x".repeat(200));
        Tag longTag = Tag.of("T".repeat(128));
        for (RepositoryName n : List.of(NAME, deep)) {
            for (Digest d : List.of(D, D512)) {
                for (String p : List.of(PathLayout.blobData(d), PathLayout.layerLink(n, d), PathLayout.revisionLink(n, d),
                        PathLayout.tagCurrentLink(n, longTag), PathLayout.tagIndexLink(n, longTag, d),
                        PathLayout.uploadData(n, UUID), PathLayout.uploadStartedAt(n, UUID),
                        PathLayout.uploadHashStates(n, UUID))) {
                    assertDoesNotThrow(() -> StoragePaths.check(p), p);
                }
            }
        }
    }

    @Test
    void linkContentIsExactlyTheDigest() {
        byte[] c = PathLayout.linkContent(D);
        assertArrayEquals(("sha256:" + HEX).getBytes(StandardCharsets.US_ASCII), c);
        assertEquals(71, c.length, "no trailing newline");
        assertEquals('5', c[c.length - 1]);
        assertArrayEquals(("sha512:" + HEX512).getBytes(StandardCharsets.US_ASCII), PathLayout.linkContent(D512));
    }

    @Test
    void parseLink() {
        assertEquals(D, PathLayout.parseLink(PathLayout.linkContent(D)));
        assertEquals(D512, PathLayout.parseLink(PathLayout.linkContent(D512)));
        assertEquals(D, PathLayout.parseLink(("sha256:" + HEX + "\n").getBytes(StandardCharsets.US_ASCII)));
        assertEquals(D, PathLayout.parseLink(("sha256:" + HEX + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        assertEquals(D, PathLayout.parseLink((" sha256:" + HEX + " \n").getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "sha256:", "sha256:abc", "garbage", "sha256:" + HEX + "x"})
    void parseLinkRejectsBadContent(String content) {
        assertThrows(InvalidDigestException.class,
                () -> PathLayout.parseLink(content.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void digestOfBlobDataRoundTrips() {
        assertEquals(Optional.of(D), PathLayout.digestOfBlobData(PathLayout.blobData(D)));
        assertEquals(Optional.of(D512), PathLayout.digestOfBlobData(PathLayout.blobData(D512)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/docker/registry/v2/blobs/sha256/ab/" + HEX + "/data",   // prefix is not the hex's first two chars
        "/docker/registry/v2/blobs/sha256/e/" + HEX + "/data",    // one-char prefix
        "/docker/registry/v2/blobs/sha256/e3b/" + HEX + "/data",  // three-char prefix
        "/docker/registry/v2/blobs/sha256//" + HEX + "/data",     // empty prefix
        "/docker/registry/v2/blobs/sha256/E3/" + HEX + "/data",
        "/docker/registry/v2/blobs/sha256/e3/" + HEX + "/link",
        "/docker/registry/v2/blobs/sha256/e3/" + HEX,
        "/docker/registry/v2/blobs/sha256/e3/" + HEX + "/data/data",
        "/docker/registry/v2/blobs/sha256/e3/e3b0/data",          // short hex
        "/docker/registry/v2/blobs/sha512/e3/" + HEX + "/data",   // hex length does not fit the algorithm
        "/docker/registry/v2/blobs/md5/e3/" + HEX + "/data",
        "/docker/registry/v2/blobs/e3/" + HEX + "/data",
        "/docker/registry/v2/repositories/a/_layers/sha256/" + HEX + "/data",
        "/docker/registry/v2/blobsx/sha256/e3/" + HEX + "/data",
        "docker/registry/v2/blobs/sha256/e3/" + HEX + "/data",
        "",
    })
    void digestOfBlobDataRejects(String path) {
        assertEquals(Optional.empty(), PathLayout.digestOfBlobData(path));
    }

    @Test
    void parseDigest() {
        assertEquals(Optional.of(D), PathLayout.parseDigest("sha256", HEX));
        assertEquals(Optional.of(D512), PathLayout.parseDigest("sha512", HEX512));
        assertEquals(Optional.empty(), PathLayout.parseDigest("sha256", HEX512));
        assertEquals(Optional.empty(), PathLayout.parseDigest("sha256", HEX.toUpperCase()));
        assertEquals(Optional.empty(), PathLayout.parseDigest("sha256", "link"));
        assertEquals(Optional.empty(), PathLayout.parseDigest("blake3", HEX));
        assertEquals(Optional.empty(), PathLayout.parseDigest("", ""));
    }

    @Test
    void repositoryOfManifestsDir() {
        assertEquals(Optional.of(NAME), PathLayout.repositoryOfManifestsDir(PathLayout.manifestsDir(NAME)));
        assertEquals(Optional.of(RepositoryName.of("a")),
                PathLayout.repositoryOfManifestsDir("/docker/registry/v2/repositories/a/_manifests"));
        assertEquals(Optional.of(RepositoryName.of("a/b/c")),
                PathLayout.repositoryOfManifestsDir("/docker/registry/v2/repositories/a/b/c/_manifests"));
        assertEquals(Optional.empty(),
                PathLayout.repositoryOfManifestsDir("/docker/registry/v2/repositories/_manifests"));
        assertEquals(Optional.empty(),
                PathLayout.repositoryOfManifestsDir("/docker/registry/v2/repositories/Upper/_manifests"));
        assertEquals(Optional.empty(),
                PathLayout.repositoryOfManifestsDir("/docker/registry/v2/repositories/a/_uploads/_manifests"));
        assertEquals(Optional.empty(),
                PathLayout.repositoryOfManifestsDir("/docker/registry/v2/repositories/a/_manifests/tags"));
        assertEquals(Optional.empty(),
                PathLayout.repositoryOfManifestsDir("/docker/registry/v2/repositories/a/_layers"));
        assertEquals(Optional.empty(), PathLayout.repositoryOfManifestsDir("/docker/registry/v2/blobs/_manifests"));
        assertEquals(Optional.empty(), PathLayout.repositoryOfManifestsDir("/elsewhere/a/_manifests"));
        assertEquals(Optional.empty(), PathLayout.repositoryOfManifestsDir(
                "/docker/registry/v2/repositories/" + "a".repeat(256) + "/_manifests"));
    }

    @Test
    void baseName() {
        assertEquals("link", PathLayout.baseName(PathLayout.layerLink(NAME, D)));
        assertEquals(HEX, PathLayout.baseName(PathLayout.blobDir(D)));
    }
}

package io.berth.core.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PathLayoutParseTest {
    static final Digest D = PathLayoutTest.D;
    static final RepositoryName NAME = RepositoryName.of("library/ubuntu");
    static final Tag TAG = Tag.of("v1.0");

    @Test
    void everyPathTheLayoutBuildsParsesBackToWhatItIs() {
        assertEquals(Optional.of(new LayoutPath.BlobData(D)), PathLayout.parse(PathLayout.blobData(D)));
        assertEquals(Optional.of(new LayoutPath.BlobData(PathLayoutTest.D512)),
                PathLayout.parse(PathLayout.blobData(PathLayoutTest.D512)));
        assertEquals(Optional.of(new LayoutPath.LayerLink(NAME, D)), PathLayout.parse(PathLayout.layerLink(NAME, D)));
        assertEquals(Optional.of(new LayoutPath.RevisionLink(NAME, D)),
                PathLayout.parse(PathLayout.revisionLink(NAME, D)));
        assertEquals(Optional.of(new LayoutPath.TagCurrentLink(NAME, TAG)),
                PathLayout.parse(PathLayout.tagCurrentLink(NAME, TAG)));
        assertEquals(Optional.of(new LayoutPath.TagIndexLink(NAME, TAG, D)),
                PathLayout.parse(PathLayout.tagIndexLink(NAME, TAG, D)));
        assertEquals(Optional.of(new LayoutPath.UploadFile(NAME, "u-1", "data")),
                PathLayout.parse(PathLayout.uploadData(NAME, "u-1")));
        assertEquals(Optional.of(new LayoutPath.UploadFile(NAME, "u-1", "hashstates/sha256/0")),
                PathLayout.parse(PathLayout.uploadHashStates(NAME, "u-1") + "/sha256/0"));
    }

    @Test
    void oneComponentAndDeepNamesParse() {
        RepositoryName one = RepositoryName.of("busybox");
        RepositoryName deep = RepositoryName.of("a/b-c/d__e/f.g");
        assertEquals(Optional.of(new LayoutPath.LayerLink(one, D)), PathLayout.parse(PathLayout.layerLink(one, D)));
        assertEquals(Optional.of(new LayoutPath.RevisionLink(deep, D)),
                PathLayout.parse(PathLayout.revisionLink(deep, D)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/docker/registry/v2/blobs/sha256/e3/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/data.tmp",
        "/docker/registry/v2/blobs/sha256/ff/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/data",
        "/docker/registry/v2/blobs/md5/e3/e3b0/data",
        "/docker/registry/v2/repositories/_layers/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/link",
        "/docker/registry/v2/repositories/Upper/_layers/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/link",
        "/docker/registry/v2/repositories/app/_layers/sha256/E3B0/link",
        "/docker/registry/v2/repositories/app/_layers/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/data",
        "/docker/registry/v2/repositories/app/_manifests/tags/-bad/current/link",
        "/docker/registry/v2/repositories/app/_manifests/tags/v1/current/other",
        "/docker/registry/v2/repositories/app/_manifests/revisions/sha256/link",
        "/docker/registry/v2/repositories/app/_junk/file",
        "/docker/registry/v2/repositories/app/README",
        "/docker/registry/v2/somethingelse",
        "/elsewhere/file",
    })
    void pathsOutsideTheGrammarDoNotParse(String path) {
        assertTrue(PathLayout.parse(path).isEmpty(), path);
    }
}

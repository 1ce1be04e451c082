package io.berth.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypesTest {

    @Test
    void baseDropsParametersTrimsAndLowerCases() {
        assertNull(MediaTypes.base(null));
        assertEquals("application/json", MediaTypes.base("application/json"));
        assertEquals("application/json", MediaTypes.base("application/json; charset=utf-8"));
        assertEquals("application/json", MediaTypes.base("  Application/JSON ;charset=utf-8"));
        assertEquals(MediaTypes.OCI_MANIFEST, MediaTypes.base(MediaTypes.OCI_MANIFEST + ";q=0.9"));
        assertEquals("", MediaTypes.base(""));
        assertEquals("", MediaTypes.base(";x=y"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.OCI_CONFIG, MediaTypes.OCI_EMPTY,
        MediaTypes.OCI_LAYER_TAR, MediaTypes.OCI_LAYER_GZIP, MediaTypes.DOCKER_MANIFEST,
        MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_CONFIG, MediaTypes.DOCKER_LAYER_GZIP,
        MediaTypes.DOCKER_FOREIGN_LAYER, MediaTypes.DOCKER_SCHEMA1, MediaTypes.DOCKER_SCHEMA1_SIGNED,
        "text/plain", "a/b", "application/vnd.example.thing.v1+json", "Application/X-Foo_bar$&^!#",
    })
    void wellFormed(String s) {
        assertTrue(MediaTypes.isWellFormed(s), s);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "application", "application/", "/json", "application/json; charset=utf-8", "a/b/c", "a /b",
        "application/json ", ".a/b", "a/.b", "a/b\n", "ä/b",
    })
    void notWellFormed(String s) {
        assertFalse(MediaTypes.isWellFormed(s), s);
    }

    @Test
    void wellFormedLengthLimits() {
        assertTrue(MediaTypes.isWellFormed("a".repeat(127) + "/" + "b".repeat(127)));
        assertFalse(MediaTypes.isWellFormed("a".repeat(128) + "/b"));
        assertFalse(MediaTypes.isWellFormed("a/" + "b".repeat(128)));
        assertFalse(MediaTypes.isWellFormed(null));
    }

    @Test
    void manifestSets() {
        assertTrue(MediaTypes.isManifest(MediaTypes.OCI_MANIFEST));
        assertTrue(MediaTypes.isManifest(MediaTypes.OCI_INDEX));
        assertTrue(MediaTypes.isManifest(MediaTypes.DOCKER_MANIFEST));
        assertTrue(MediaTypes.isManifest(MediaTypes.DOCKER_MANIFEST_LIST));
        assertTrue(MediaTypes.isManifest(MediaTypes.DOCKER_SCHEMA1));
        assertTrue(MediaTypes.isManifest(MediaTypes.DOCKER_SCHEMA1_SIGNED));
        assertFalse(MediaTypes.isManifest(MediaTypes.OCI_CONFIG));
        assertFalse(MediaTypes.isManifest("application/json"));
        assertFalse(MediaTypes.isManifest(null));
        assertEquals(6, MediaTypes.MANIFESTS.size());
        assertTrue(MediaTypes.IMAGE_MANIFESTS.contains(MediaTypes.DOCKER_MANIFEST));
        assertTrue(MediaTypes.INDEXES.contains(MediaTypes.DOCKER_MANIFEST_LIST));
        assertTrue(MediaTypes.SCHEMA1.contains(MediaTypes.DOCKER_SCHEMA1_SIGNED));
    }
}

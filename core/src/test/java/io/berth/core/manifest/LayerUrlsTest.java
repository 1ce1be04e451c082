package io.berth.core.manifest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerUrlsTest {
    static final String MCR = "https://mcr.microsoft.com/v2/windows/nanoserver/blobs/sha256:0a";

    @Test
    void byDefaultNoUrlIsAllowedAsInDistribution() {
        String why = LayerUrls.DEFAULT.refusal(MCR);
        assertNotNull(why);
        assertTrue(why.contains("validation.manifests.urls.allow"), why);
    }

    @Test
    void allowAndDenyAreSearchedLikeGosMatchString() {
        LayerUrls p = LayerUrls.of(true, List.of("^https://mcr\\.microsoft\\.com/", "example\\.org"),
                List.of("/private/"));
        assertNull(p.refusal(MCR));
        assertNull(p.refusal("http://cdn.example.org/layer.tgz"), "a pattern matches anywhere unless anchored");
        assertNotNull(p.refusal("https://evil.com/mcr.microsoft.com/x"));
        assertNotNull(p.refusal("https://mcr.microsoft.com/private/x"), "deny wins");
        LayerUrls denyOnly = LayerUrls.of(true, List.of(), List.of("internal"));
        assertNull(denyOnly.refusal("https://anything.example/x"));
        assertNotNull(denyOnly.refusal("https://internal.example/x"));
    }

    @Test
    void onlyHttpAndHttpsWithoutAFragmentEvenWithValidationOff() {
        LayerUrls off = LayerUrls.of(false, List.of(), List.of());
        assertNull(off.refusal(MCR));
        for (String bad : List.of("ftp://mcr.microsoft.com/x", "file:///etc/passwd", "::::", "", "https://x/y#frag",
                "not a url")) {
            assertNotNull(off.refusal(bad), bad);
        }
    }

    @Test
    void aPatternThatDoesNotCompileNamesItsList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerUrls.of(true, List.of("(unclosed"), List.of()));
        assertTrue(e.getMessage().contains("validation.manifests.urls.allow"), e.getMessage());
    }

    @Test
    void onlyNonDistributableLayersWithUrlsMayBeAbsent() {
        Digest d = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
        List<String> urls = List.of(MCR);
        assertTrue(LayerUrls.mayBeAbsent(new Descriptor(MediaTypes.DOCKER_FOREIGN_LAYER, d, 1, urls, Map.of(), null, null)));
        assertTrue(LayerUrls.mayBeAbsent(new Descriptor("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                d, 1, urls, Map.of(), null, null)));
        assertFalse(LayerUrls.mayBeAbsent(new Descriptor(MediaTypes.DOCKER_FOREIGN_LAYER, d, 1)), "no URL to fetch it from");
        assertFalse(LayerUrls.mayBeAbsent(new Descriptor(MediaTypes.OCI_LAYER_GZIP, d, 1, urls, Map.of(), null, null)));
        assertFalse(LayerUrls.mayBeAbsent(new Descriptor(MediaTypes.OCI_CONFIG, d, 1, urls, Map.of(), null, null)));
        assertTrue(LayerUrls.isLayer(MediaTypes.DOCKER_LAYER_GZIP));
        assertFalse(LayerUrls.isLayer(MediaTypes.OCI_CONFIG));
    }
}

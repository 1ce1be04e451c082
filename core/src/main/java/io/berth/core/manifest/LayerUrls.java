package io.berth.core.manifest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Which external URLs the layers of a pushed manifest may name (distribution's
 * {@code validation.manifests.urls}), and which layers the URLs excuse from being in the registry.
 * As in distribution: with validation on and neither list given no URL is allowed; a URL must be
 * http or https without a fragment, match an allow pattern (if any) and no deny pattern (searched,
 * as Go's {@code MatchString} does). Only non-distributable layers (Windows' foreign layers) that
 * carry URLs may be absent; any other descriptor must exist, URLs or not (distribution 2.8 also let
 * a Docker layer with any URL skip the check, which stored manifests naming blobs nobody had).
 */
public record LayerUrls(Pattern allow, Pattern deny) {
    /** distribution's default: validation enabled, nothing allowed. */
    public static final LayerUrls DEFAULT = of(true, List.of(), List.of());

    private static final Set<String> LAYERS = Set.of(MediaTypes.OCI_LAYER_TAR, MediaTypes.OCI_LAYER_GZIP,
            "application/vnd.oci.image.layer.v1.tar+zstd", MediaTypes.DOCKER_LAYER_GZIP);
    private static final Set<String> NON_DISTRIBUTABLE = Set.of(MediaTypes.DOCKER_FOREIGN_LAYER,
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

    /**
     * @param enabled {@code validation.enabled} (distribution: true unless {@code validation.disabled})
     * @throws IllegalArgumentException naming the list whose pattern does not compile
     */
    public static LayerUrls of(boolean enabled, List<String> allow, List<String> deny) {
        if (!enabled) {
            return new LayerUrls(null, null);
        }
        if (allow.isEmpty() && deny.isEmpty()) {
            return new LayerUrls(Pattern.compile("^$"), null);
        }
        return new LayerUrls(join(allow, "allow"), join(deny, "deny"));
    }

    private static Pattern join(List<String> patterns, String list) {
        if (patterns.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(patterns.stream().map(p -> "(?:" + p + ")").collect(Collectors.joining("|")));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("validation.manifests.urls." + list + ": " + e.getDescription()
                    + " in " + e.getPattern());
        }
    }

    public static boolean isLayer(String mediaType) {
        return LAYERS.contains(mediaType) || NON_DISTRIBUTABLE.contains(mediaType);
    }

    /** Whether the registry need not hold this descriptor's blob: a non-distributable layer with URLs. */
    public static boolean mayBeAbsent(Descriptor d) {
        return !d.urls().isEmpty() && NON_DISTRIBUTABLE.contains(d.mediaType());
    }

    /** Why this layer URL may not be pushed, or null if it may. */
    public String refusal(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return "\"" + url + "\" is not a URL";
        }
        String scheme = u.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || u.getRawFragment() != null) {
            return "\"" + url + "\" is not an http or https URL without a fragment";
        }
        if (allow != null && !allow.matcher(url).find()) {
            return "\"" + url + "\" is not allowed by validation.manifests.urls.allow"
                    + (allow.pattern().equals("^$") ? " (no URL is, unless that list is configured)" : "");
        }
        if (deny != null && deny.matcher(url).find()) {
            return "\"" + url + "\" is refused by validation.manifests.urls.deny";
        }
        return null;
    }
}

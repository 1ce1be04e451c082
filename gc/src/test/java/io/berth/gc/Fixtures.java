package io.berth.gc;

import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.Reference;
import io.berth.core.reference.Tag;
import io.berth.core.registry.Repository;
import io.berth.core.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Builds registry content through the core stores, as a push would. */
final class Fixtures {
    private Fixtures() {
    }

    /** An image: its manifest digest and the blobs it uses (config, layers). */
    record Img(Digest manifest, Digest config, List<Digest> layers) {
        Set<Digest> blobs() {
            Set<Digest> s = new TreeSet<>(layers);
            s.add(config);
            s.add(manifest);
            return s;
        }
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

    /** An OCI image with its own config and layer plus the given shared layers; tag may be null. */
    static Img image(Repository repo, String seed, String tag, Digest subject, String... sharedLayers) throws IOException {
        String cfg = "{\"seed\":\"" + seed + "\"}";
        Digest c = blob(repo, cfg);
        List<String> layerContents = new ArrayList<>(List.of(sharedLayers));
        layerContents.add("layer-" + seed);
        List<Digest> layers = new ArrayList<>();
        StringBuilder ls = new StringBuilder();
        for (String l : layerContents) {
            Digest d = blob(repo, l);
            layers.add(d);
            ls.append(ls.length() == 0 ? "" : ",").append(desc(MediaTypes.OCI_LAYER_TAR, d, l.length()));
        }
        String body = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + desc(MediaTypes.OCI_CONFIG, c, cfg.length()) + ",\"layers\":[" + ls + "]"
                + (subject == null ? "" : ",\"subject\":" + desc(MediaTypes.OCI_MANIFEST, subject, 1)) + "}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        repo.manifests().put(bytes, MediaTypes.OCI_MANIFEST,
                tag == null ? Reference.parse(d.toString()) : Reference.parse(tag), List.of());
        return new Img(d, c, layers);
    }

    static Digest index(Repository repo, String tag, Digest... children) throws IOException {
        String ms = java.util.Arrays.stream(children).map(c -> desc(MediaTypes.OCI_MANIFEST, c, 1))
                .collect(Collectors.joining(","));
        byte[] bytes = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[" + ms + "]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        repo.manifests().put(bytes, MediaTypes.OCI_INDEX,
                tag == null ? Reference.parse(d.toString()) : Reference.parse(tag), List.of());
        return d;
    }

    /** A Docker schema1 manifest as an old distribution stored it (Berth refuses to take new ones). */
    static Digest schema1(Repository repo, String tag, Digest... fsLayers) throws IOException {
        String layers = java.util.Arrays.stream(fsLayers).map(l -> "{\"blobSum\":\"" + l + "\"}")
                .collect(Collectors.joining(","));
        byte[] bytes = ("{\"schemaVersion\":1,\"name\":\"" + repo.name() + "\",\"tag\":\"" + tag
                + "\",\"architecture\":\"amd64\",\"fsLayers\":[" + layers + "],\"history\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);
        StorageDriver drv = repo.registry().driver();
        repo.registry().blobs().putVerified(d, bytes);
        drv.putContent(PathLayout.revisionLink(repo.name(), d), PathLayout.linkContent(d));
        repo.tags().tag(Tag.of(tag), d);
        return d;
    }
}

package io.berth.server.http;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.Manifest;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.InvalidTagException;
import io.berth.core.reference.Reference;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.registry.ErrorCode;
import io.berth.core.registry.ManifestInfo;
import io.berth.core.registry.Registry;
import io.berth.core.registry.RegistryException;
import io.berth.core.registry.Repository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v2/<name>/manifests/<reference>} (end-3, end-7, end-9) and referrers (end-12). */
final class ManifestEndpoints {
    /** distribution's limit; larger manifests are refused with 413. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;
    /** How much of an oversized manifest body is read and dropped so the client sees the 413. */
    private static final long DISCARD_LIMIT = 2L * MAX_MANIFEST_BYTES;

    private final Registry registry;
    private final ApiPolicy policy;
    private final ApiListener listener;

    ManifestEndpoints(Registry registry, ApiPolicy policy, ApiListener listener) {
        this.registry = registry;
        this.policy = policy;
        this.listener = listener;
    }

    void handle(Exchange ex, RepositoryName name, String refString) throws IOException {
        Reference ref;
        try {
            ref = Reference.parse(refString);
        } catch (InvalidTagException e) {
            if (ex.method().equals("PUT")) {
                throw e; // 400 TAG_INVALID: the client asked to store under a name that cannot be a tag
            }
            // No manifest can be stored under such a name, so reading or deleting it finds none:
            // 404 as the spec requires for a missing manifest (and as distribution answers).
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown: " + e.getMessage(),
                    Map.of("tag", refString));
        }
        Repository repo = registry.repository(name);
        switch (ex.method()) {
            case "PUT" -> put(ex, repo, ref);
            case "DELETE" -> delete(ex, repo, ref);
            default -> get(ex, repo, ref);
        }
    }

    private void get(Exchange ex, Repository repo, Reference ref) throws IOException {
        Digest digest = repo.manifests().resolve(ref).orElseThrow(() -> unknown(ref));
        ManifestInfo info;
        byte[] bytes = null;
        Manifest m = null;
        if (ex.isHead() && !listener.wantsManifestOnHead()) {
            info = repo.manifests().infoOfLinked(digest).orElseThrow(() -> unknown(ref));
        } else {
            m = repo.manifests().getLinked(digest).orElseThrow(() -> unknown(ref));
            info = ManifestInfo.of(m);
            bytes = m.bytes();
        }
        if (!accepts(ex, info.mediaType())) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, 404, "manifest " + ref + " is "
                    + info.mediaType() + ", which the Accept header does not allow", null);
        }
        ex.setHeader("Docker-Content-Digest", digest.toString());
        ex.setHeader("ETag", "\"" + digest + "\"");
        if (ex.isHead()) {
            ex.setHeader("Content-Type", info.mediaType());
            ex.setHeader("Content-Length", Long.toString(info.size()));
            ex.sendHeadersOnly(200);
        } else {
            ex.sendBytes(200, info.mediaType(), bytes);
        }
        listener.manifestPulled(ex.info(), repo.name(), info, m, tagOf(ref));
    }

    private static String tagOf(Reference ref) {
        return ref instanceof Reference.ByTag t ? t.tag().value() : null;
    }

    /**
     * Content negotiation: a client that lists manifest types in Accept and not this one does not
     * understand it (distribution answers such requests with MANIFEST_UNKNOWN). No Accept, a
     * wildcard, or only non-manifest types means anything goes.
     */
    private static boolean accepts(Exchange ex, String mediaType) {
        List<String> accepted = new ArrayList<>();
        for (String h : ex.headerValues("Accept")) {
            for (String part : h.split(",")) {
                String t = MediaTypes.base(part);
                if (t != null && !t.isEmpty()) {
                    accepted.add(t);
                }
            }
        }
        if (accepted.stream().noneMatch(MediaTypes::isManifest) || accepted.contains("*/*")
                || accepted.contains("application/*")) {
            return true;
        }
        if (accepted.contains(mediaType)) {
            return true;
        }
        // schema1 clients accept both flavours of schema1
        return MediaTypes.SCHEMA1.contains(mediaType) && accepted.stream().anyMatch(MediaTypes.SCHEMA1::contains);
    }

    private void put(Exchange ex, Repository repo, Reference ref) throws IOException {
        List<Tag> extraTags = new ArrayList<>();
        for (String t : ex.queryAll("tag")) {
            extraTags.add(Tag.of(t));
        }
        byte[] body = readLimited(ex);
        Manifest m = repo.manifests().put(body, ex.header("Content-Type"), ref, extraTags);
        ex.setHeader("Location", ex.url("/v2/" + repo.name() + "/manifests/" + m.digest()));
        ex.setHeader("Docker-Content-Digest", m.digest().toString());
        m.subject().ifPresent(s -> ex.setHeader("OCI-Subject", s.digest().toString()));
        for (Tag t : extraTags) {
            ex.addHeader("OCI-Tag", t.value());
        }
        ex.send(201);
        String tag = tagOf(ref) != null ? tagOf(ref) : extraTags.isEmpty() ? null : extraTags.get(0).value();
        listener.manifestPushed(ex.info(), repo.name(), m, tag);
    }

    private static byte[] readLimited(Exchange ex) throws IOException {
        long len = ex.contentLength();
        try (InputStream in = ex.body()) {
            if (len > MAX_MANIFEST_BYTES) {
                discardUpTo(in, len <= DISCARD_LIMIT ? len : 0);
                throw tooLarge();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(len > 0 ? (int) len : 8192);
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > MAX_MANIFEST_BYTES) {
                    discardUpTo(in, DISCARD_LIMIT);
                    throw tooLarge();
                }
            }
            return out.toByteArray();
        }
    }

    /**
     * A client that is still sending when the 413 goes out sees a broken pipe rather than the
     * answer (Java's HttpClient and curl both do); reading a modestly oversized body to its end
     * lets it read the error. Beyond the limit the connection is closed instead.
     */
    private static void discardUpTo(InputStream in, long max) throws IOException {
        byte[] buf = new byte[16384];
        long read = 0;
        int n;
        while (read < max && (n = in.read(buf)) > 0) {
            read += n;
        }
    }

    private static RegistryException tooLarge() {
        return new RegistryException(ErrorCode.SIZE_INVALID, 413,
                "manifest is larger than the " + (MAX_MANIFEST_BYTES >> 20) + " MiB limit", null);
    }

    private void delete(Exchange ex, Repository repo, Reference ref) throws IOException {
        if (!policy.deleteEnabled()) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled (storage.delete.enabled)");
        }
        boolean deleted = ref instanceof Reference.ByTag t
                ? repo.tags().untag(t.tag())
                : repo.manifests().delete(((Reference.ByDigest) ref).digest());
        if (!deleted) {
            throw unknown(ref);
        }
        ex.send(202);
        if (ref instanceof Reference.ByTag t) {
            listener.tagDeleted(ex.info(), repo.name(), t.tag().value());
        } else {
            listener.manifestDeleted(ex.info(), repo.name(), ((Reference.ByDigest) ref).digest());
        }
    }

    void referrers(Exchange ex, RepositoryName name, String ref) throws IOException {
        Digest subject = Digest.parse(ref);
        String artifactType = ex.query("artifactType");
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (ManifestInfo r : registry.repository(name).manifests().referrers(subject, artifactType)) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", r.mediaType());
            d.put("digest", r.digest().toString());
            d.put("size", r.size());
            if (r.artifactType() != null) {
                d.put("artifactType", r.artifactType());
            }
            if (!r.annotations().isEmpty()) {
                d.put("annotations", r.annotations());
            }
            manifests.add(d);
        }
        if (artifactType != null) {
            ex.setHeader("OCI-Filters-Applied", "artifactType");
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        ex.sendBytes(200, MediaTypes.OCI_INDEX, Exchange.JSON.writeValueAsBytes(index));
    }

    private static RegistryException unknown(Reference ref) {
        String what = ref instanceof Reference.ByTag ? "tag" : "digest";
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown: " + what + " " + ref,
                Map.of(what, ref.toString()));
    }

}

package io.berth.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.core.digest.Digest;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.Descriptor;
import io.berth.core.manifest.Manifest;
import io.berth.core.manifest.ManifestParser;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.walk.RepositoryEntries;
import io.berth.core.walk.RepositoryGraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks one repository's link files, manifests, tags and uploads against the blob store.
 *
 * <p>Each fault is reported once, by the file that is wrong. A link naming an absent blob is
 * {@code blob-missing} when something in the repository needs that blob (a manifest references it,
 * a tag or an index names it: the content was lost), else {@code link-dangling}. A manifest
 * reference that is neither in the store nor linked is {@code manifest-reference-missing}; in the
 * store but not linked, {@code manifest-reference-not-linked}. A tag index entry is only checked
 * when its manifest is not a revision (a revision's own check covers it).
 */
final class RepositoryChecker {
    /** Counts for the report's totals, shared by every repository of a run. */
    static final class Counts {
        final AtomicLong repositories = new AtomicLong();
        final AtomicLong links = new AtomicLong();
        final AtomicLong manifests = new AtomicLong();
        final AtomicLong tags = new AtomicLong();
        final AtomicLong uploads = new AtomicLong();
    }

    private static final long MAX_MANIFEST_BYTES = 4L << 20;

    private final StorageDriver driver;
    private final BlobLookup blobs;
    private final Findings findings;
    private final Counts counts;
    private final Duration uploadMaxAge;
    private final Instant now;

    RepositoryChecker(StorageDriver driver, BlobLookup blobs, Findings findings, Counts counts,
                      Duration uploadMaxAge, Instant now) {
        this.driver = driver;
        this.blobs = blobs;
        this.findings = findings;
        this.counts = counts;
        this.uploadMaxAge = uploadMaxAge;
        this.now = now;
    }

    void check(RepositoryEntries e) throws IOException {
        counts.repositories.incrementAndGet();
        String repo = e.name().value();
        // links whose content parses and matches their path; the others are reported here
        Set<Digest> layers = readLinks(repo, e.layers());
        Set<Digest> revisions = readLinks(repo, e.revisions());
        Map<Digest, String> needed = new HashMap<>(); // digest -> who needs it, for blob-missing
        Set<Digest> missing = new HashSet<>(); // reported blob-missing: other links to it are not dangling too

        RepositoryGraph graph = RepositoryGraph.load(driver, e);
        counts.tags.addAndGet(e.tags().size());
        for (Map.Entry<Tag, String> broken : graph.brokenTags().entrySet()) {
            findings.add(new Problem(ProblemKind.LINK_UNPARSABLE, PathLayout.tagCurrentLink(e.name(), broken.getKey()),
                    repo, null, broken.getValue()));
        }
        for (Map.Entry<Tag, Digest> t : graph.tags().entrySet()) {
            if (revisions.contains(t.getValue())) {
                needed.putIfAbsent(t.getValue(), "tag " + t.getKey());
            } else if (!e.revisions().containsKey(t.getValue())) {
                findings.add(new Problem(ProblemKind.TAG_DANGLING, PathLayout.tagCurrentLink(e.name(), t.getKey()),
                        repo, t.getValue().toString(), "tag " + t.getKey() + " names " + t.getValue()
                        + ", which is not a manifest revision of " + repo));
            }
        }

        // a reference counts as linked when its link file exists: a garbled link is reported once, as itself
        for (Digest rev : revisions) {
            checkManifest(e.name(), rev, graph, e.layers().keySet(), e.revisions().keySet(), needed);
        }

        for (Digest d : layers) {
            absentTarget(e.name(), d, PathLayout.layerLink(e.name(), d), needed, missing);
        }
        for (Digest d : revisions) {
            absentTarget(e.name(), d, PathLayout.revisionLink(e.name(), d), needed, missing);
        }
        for (RepositoryEntries.TagEntries t : e.tags().values()) {
            // a push writes the index entry first, then the current link: only an old one is damage
            if (!t.hasCurrent() && t.index().values().stream()
                    .allMatch(f -> f.modTime().isBefore(java.time.Instant.now().minus(java.time.Duration.ofMinutes(10))))) {
                findings.add(new Problem(ProblemKind.TAG_WITHOUT_CURRENT,
                        PathLayout.tagCurrentLink(e.name(), t.tag()), repo, null, "tag " + t.tag()
                        + " has index entries but no current link: it resolves to nothing, and gc -m keeps its"
                        + " repository whole"));
            }
            Set<Digest> index = readLinks(repo, t.index());
            for (Digest d : index) {
                if (!e.revisions().containsKey(d) && blobs.size(d) < 0 && !findings.isCorrupt(d)) {
                    findings.add(new Problem(ProblemKind.LINK_DANGLING, PathLayout.tagIndexLink(e.name(), t.tag(), d),
                            repo, d.toString(), "tag " + t.tag() + "'s index names " + d
                            + ", which is neither a revision nor a blob of the store"));
                }
            }
        }
        checkUploads(e);
    }

    /** Reads each link; returns the digests whose link holds exactly the digest of its path. */
    private Set<Digest> readLinks(String repo, Map<Digest, FileInfo> links) throws IOException {
        Set<Digest> ok = new HashSet<>();
        for (Map.Entry<Digest, FileInfo> l : links.entrySet()) {
            counts.links.incrementAndGet();
            String path = l.getValue().path();
            if (l.getValue().holds(PathLayout.linkContent(l.getKey()))) {
                ok.add(l.getKey()); // the backend's MD5 of the link is that of its path's digest
                continue;
            }
            byte[] content;
            try {
                content = driver.getContent(path);
            } catch (PathNotFoundException gone) {
                continue; // removed while we looked (gc, a delete): nothing to check
            }
            Digest named;
            try {
                named = PathLayout.parseLink(content);
            } catch (IllegalArgumentException ex) {
                findings.add(new Problem(ProblemKind.LINK_UNPARSABLE, path, repo, null,
                        "holds " + quote(content) + ", not a digest"));
                continue;
            }
            if (!named.equals(l.getKey())) {
                findings.add(new Problem(ProblemKind.LINK_MISMATCH, path, repo, named.toString(),
                        "holds " + named + " but its path names " + l.getKey()));
                continue;
            }
            if (!Arrays.equals(content, PathLayout.linkContent(named))) {
                findings.add(new Problem(ProblemKind.LINK_NOT_CANONICAL, path, repo, named.toString(),
                        "holds " + quote(content) + ": the digest with more around it, which distribution cannot read"));
            }
            ok.add(l.getKey());
        }
        return ok;
    }

    /** A layer or revision link whose blob is absent: lost content if needed, else a dangling link. */
    private void absentTarget(RepositoryName name, Digest d, String linkPath, Map<Digest, String> needed,
                              Set<Digest> missing) throws IOException {
        if (blobs.size(d) >= 0 || findings.isCorrupt(d) || missing.contains(d)) {
            return;
        }
        String by = needed.get(d);
        if (by != null) {
            missing.add(d);
            findings.add(new Problem(ProblemKind.BLOB_MISSING, PathLayout.blobData(d), name.value(), d.toString(),
                    "linked by " + linkPath + " and needed by " + by + ", but not in the blob store"));
        } else {
            findings.add(new Problem(ProblemKind.LINK_DANGLING, linkPath, name.value(), d.toString(),
                    "names " + d + ", which is not in the blob store"));
        }
    }

    private void checkManifest(RepositoryName name, Digest rev, RepositoryGraph graph, Set<Digest> layers,
                               Set<Digest> revisions, Map<Digest, String> needed) throws IOException {
        String repo = name.value();
        String revPath = PathLayout.revisionLink(name, rev);
        long size = blobs.size(rev);
        if (size < 0 || findings.isCorrupt(rev)) {
            return; // absent: reported with the links; corrupt: reported by the hashing
        }
        counts.manifests.incrementAndGet();
        Optional<Manifest> parsed = size > MAX_MANIFEST_BYTES ? Optional.empty() : graph.manifest(rev);
        if (parsed.isEmpty()) {
            unreadableManifest(name, rev, size, graph.unreadable().get(rev));
            return;
        }
        Manifest m = parsed.get();
        if (!Digest.of(rev.algorithm(), m.bytes()).equals(rev)) {
            findings.corrupt(rev, "manifest content hashes to " + Digest.of(rev.algorithm(), m.bytes())
                    + " (" + m.bytes().length + " bytes)");
            return;
        }
        List<Descriptor> blobRefs = m.blobReferences();
        for (Descriptor b : blobRefs) {
            if (!b.isForeign()) {
                reference(name, revPath, m, b, layers.contains(b.digest()), "blob", needed);
            }
        }
        for (Descriptor c : m.manifestReferences()) {
            reference(name, revPath, m, c, revisions.contains(c.digest()), "manifest", needed);
        }
    }

    private void reference(RepositoryName name, String revPath, Manifest m, Descriptor ref, boolean linked,
                           String what, Map<Digest, String> needed) throws IOException {
        Digest d = ref.digest();
        long actual = blobs.size(d);
        String repo = name.value();
        if (actual < 0) {
            if (findings.isCorrupt(d)) {
                return; // quarantined while we looked
            }
            if (linked) {
                needed.putIfAbsent(d, "manifest " + m.digest());
            } else {
                findings.add(new Problem(ProblemKind.MANIFEST_REFERENCE_MISSING, revPath, repo, d.toString(),
                        "manifest " + m.digest() + " references " + what + " " + d
                        + ", which is neither in the blob store nor linked in " + repo));
            }
        } else if (!linked) {
            findings.add(new Problem(ProblemKind.MANIFEST_REFERENCE_NOT_LINKED, revPath, repo, d.toString(),
                    "manifest " + m.digest() + " references " + what + " " + d + ", which is in the blob store but "
                    + ("blob".equals(what) ? "has no layer link" : "is not a revision") + " in " + repo));
        } else if (ref.size() >= 0 && ref.size() != actual) {
            findings.sizeClaim(new Findings.SizeClaim(repo, revPath, m.digest(), d, ref.size(), actual));
        }
    }

    /** A revision's blob that exists but did not parse: corrupt, of an unknown type, or not a manifest. */
    private void unreadableManifest(RepositoryName name, Digest rev, long size, String reason) throws IOException {
        String revPath = PathLayout.revisionLink(name, rev);
        if (size > MAX_MANIFEST_BYTES) {
            findings.add(new Problem(ProblemKind.MANIFEST_UNPARSABLE, revPath, name.value(), rev.toString(),
                    "blob of " + size + " bytes is too large to be a manifest"));
            return;
        }
        byte[] bytes;
        try {
            bytes = driver.getContent(PathLayout.blobData(rev));
        } catch (PathNotFoundException e) {
            return; // deleted or quarantined while we looked
        }
        Digest actual = Digest.of(rev.algorithm(), bytes);
        if (!actual.equals(rev)) {
            findings.corrupt(rev, "manifest content hashes to " + actual + " (" + bytes.length + " bytes)");
            return;
        }
        String mediaType = declaredMediaType(bytes);
        if (mediaType != null && !MediaTypes.isManifest(mediaType)) {
            findings.add(new Problem(ProblemKind.MANIFEST_UNKNOWN_MEDIA_TYPE, revPath, name.value(), rev.toString(),
                    "media type \"" + mediaType + "\" is not a manifest type a registry serves"));
            return;
        }
        findings.add(new Problem(ProblemKind.MANIFEST_UNPARSABLE, revPath, name.value(), rev.toString(),
                reason == null ? "does not parse" : reason));
    }

    /** The body's {@code mediaType} field, or null when it is not a JSON object with one. */
    private static String declaredMediaType(byte[] bytes) {
        try {
            JsonNode root = ManifestParser.json().readTree(bytes);
            JsonNode mt = root == null ? null : root.get("mediaType");
            return mt != null && mt.isTextual() ? mt.textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void checkUploads(RepositoryEntries e) {
        for (Map.Entry<String, List<FileInfo>> u : e.uploads().entrySet()) {
            counts.uploads.incrementAndGet();
            String uuid = u.getKey();
            Instant started = null;
            long bytes = 0;
            for (FileInfo f : u.getValue()) {
                if (started == null || f.modTime().isBefore(started)) {
                    started = f.modTime();
                }
                if (f.path().equals(PathLayout.uploadData(e.name(), uuid))) {
                    bytes = f.size();
                }
            }
            started = startedAt(e.name(), uuid).orElse(started);
            if (started != null && Duration.between(started, now).compareTo(uploadMaxAge) > 0) {
                findings.add(new Problem(ProblemKind.UPLOAD_STALE, PathLayout.uploadDir(e.name(), uuid),
                        e.name().value(), null, "started " + started + " (" + age(Duration.between(started, now))
                        + " ago), " + bytes + " bytes received"));
            }
        }
    }

    /** The upload's {@code startedat}, when it holds an RFC 3339 time (else its files' oldest mtime counts). */
    private Optional<Instant> startedAt(RepositoryName name, String uuid) {
        try {
            return Optional.of(TimeSpecs.rfc3339(new String(driver.getContent(PathLayout.uploadStartedAt(name, uuid)),
                    StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String age(Duration d) {
        return d.toDays() >= 1 ? d.toDays() + " days" : d.toHours() >= 1 ? d.toHours() + " hours" : d.toMinutes() + " minutes";
    }

    private static String quote(byte[] content) {
        String s = new String(content, 0, Math.min(content.length, 80), StandardCharsets.UTF_8);
        return "\"" + s.replaceAll("\\p{Cntrl}", "?") + "\"" + (content.length > 80 ? "..." : "");
    }
}

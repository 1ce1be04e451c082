package io.berth.core.layout;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.StoragePaths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The whole storage tree, byte-compatible with distribution's {@code registry/storage/paths.go}.
 * Every other class builds paths through this one; nothing else concatenates path strings.
 *
 * <pre>
 * &lt;root&gt;/docker/registry/v2/
 *   blobs/&lt;alg&gt;/&lt;hex[0:2]&gt;/&lt;hex&gt;/data                         content of every blob and manifest
 *   repositories/&lt;name&gt;/
 *     _layers/&lt;alg&gt;/&lt;hex&gt;/link                                  blob is in the repository
 *     _manifests/revisions/&lt;alg&gt;/&lt;hex&gt;/link                     manifest is in the repository
 *     _manifests/tags/&lt;tag&gt;/current/link                         what the tag points at now
 *     _manifests/tags/&lt;tag&gt;/index/&lt;alg&gt;/&lt;hex&gt;/link             every manifest the tag has pointed at
 *     _uploads/&lt;uuid&gt;/data                                      upload in progress
 *     _uploads/&lt;uuid&gt;/startedat                                 RFC 3339 start time
 *     _uploads/&lt;uuid&gt;/hashstates/&lt;alg&gt;/&lt;offset&gt;                 saved hash state (distribution's; Berth
 *                                                                 recomputes instead of reading them)
 *   quarantine/&lt;alg&gt;/&lt;hex&gt;/data[.&lt;n&gt;]                        corrupt blobs {@code berth verify --quarantine}
 *                                                                 moved aside (Berth's own; distribution never
 *                                                                 looks here, so they are neither served nor gc'd)
 *   gc/running                                                  present while a {@code berth gc} may delete: its
 *                                                                 run (JSON), rewritten every minute (Berth's own,
 *                                                                 see {@code io.berth.core.coordination.GcPresence})
 *   gc/caches/&lt;id&gt;                                              one per serving Berth with a descriptor cache
 *
 * &lt;name&gt;   := component ("/" component)*   (see {@link RepositoryName}); a repository is any
 *             directory under repositories/ that holds _manifests, as distribution's catalog finds them.
 * link     := "&lt;alg&gt;:&lt;hex&gt;"   with no newline, exactly as distribution writes it.
 * </pre>
 *
 * The root prefix is the driver's root ({@code storage.filesystem.rootdirectory} or the bucket's
 * {@code rootdirectory}), so paths here start at {@code /docker}.
 */
public final class PathLayout {
    public static final String ROOT = "/docker/registry/v2";
    public static final String BLOBS = ROOT + "/blobs";
    public static final String REPOSITORIES = ROOT + "/repositories";
    public static final String QUARANTINE = ROOT + "/quarantine";
    public static final String GC_RUNNING = ROOT + "/gc/running";
    public static final String GC_CACHES = ROOT + "/gc/caches";
    public static final String LAYERS_DIR = "_layers";
    public static final String MANIFESTS_DIR = "_manifests";
    public static final String UPLOADS_DIR = "_uploads";

    private PathLayout() {
    }

    // blobs/<alg>/<hex[0:2]>/<hex>/data

    public static String blobsDir(DigestAlgorithm alg) {
        return BLOBS + "/" + alg.id();
    }

    public static String blobDir(Digest d) {
        return blobsDir(d.algorithm()) + "/" + d.hex().substring(0, 2) + "/" + d.hex();
    }

    public static String blobData(Digest d) {
        return blobDir(d) + "/data";
    }

    /** The digest a {@code blobs/<alg>/<xx>/<hex>/data} path names, if it is one. */
    public static Optional<Digest> digestOfBlobData(String path) {
        if (!path.startsWith(BLOBS + "/") || !path.endsWith("/data")) {
            return Optional.empty();
        }
        String[] p = path.substring(BLOBS.length() + 1).split("/");
        if (p.length != 4) {
            return Optional.empty();
        }
        return parseDigest(p[0], p[2]).filter(d -> d.hex().substring(0, 2).equals(p[1]));
    }

    // quarantine/<alg>/<hex>/data[.<n>]

    /**
     * Where a corrupt blob is moved; {@code n > 0} names the n-th later copy of the same digest,
     * so a blob quarantined twice never replaces (deletes) the first copy.
     */
    public static String quarantineData(Digest d, int n) {
        String data = QUARANTINE + "/" + d.algorithm().id() + "/" + d.hex() + "/data";
        return n == 0 ? data : data + "." + n;
    }

    // gc/caches/<id>: the id is the registry's own (letters, digits, '-'), never a client's

    public static String gcCache(String id) {
        if (!id.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("cache registration id: " + id);
        }
        return GC_CACHES + "/" + id;
    }

    // repositories/<name>/...

    public static String repository(RepositoryName name) {
        return REPOSITORIES + "/" + name.value();
    }

    public static String layersDir(RepositoryName name) {
        return repository(name) + "/" + LAYERS_DIR;
    }

    public static String layerDir(RepositoryName name, Digest d) {
        return layersDir(name) + "/" + d.algorithm().id() + "/" + d.hex();
    }

    public static String layerLink(RepositoryName name, Digest d) {
        return layerDir(name, d) + "/link";
    }

    public static String manifestsDir(RepositoryName name) {
        return repository(name) + "/" + MANIFESTS_DIR;
    }

    public static String revisionsDir(RepositoryName name) {
        return manifestsDir(name) + "/revisions";
    }

    public static String revisionDir(RepositoryName name, Digest d) {
        return revisionsDir(name) + "/" + d.algorithm().id() + "/" + d.hex();
    }

    public static String revisionLink(RepositoryName name, Digest d) {
        return revisionDir(name, d) + "/link";
    }

    public static String tagsDir(RepositoryName name) {
        return manifestsDir(name) + "/tags";
    }

    public static String tagDir(RepositoryName name, Tag tag) {
        return tagsDir(name) + "/" + tag.value();
    }

    public static String tagCurrentLink(RepositoryName name, Tag tag) {
        return tagDir(name, tag) + "/current/link";
    }

    public static String tagIndexDir(RepositoryName name, Tag tag) {
        return tagDir(name, tag) + "/index";
    }

    public static String tagIndexLink(RepositoryName name, Tag tag, Digest d) {
        return tagIndexDir(name, tag) + "/" + d.algorithm().id() + "/" + d.hex() + "/link";
    }

    public static String uploadsDir(RepositoryName name) {
        return repository(name) + "/" + UPLOADS_DIR;
    }

    public static String uploadDir(RepositoryName name, String uuid) {
        return uploadsDir(name) + "/" + uuid;
    }

    public static String uploadData(RepositoryName name, String uuid) {
        return uploadDir(name, uuid) + "/data";
    }

    public static String uploadStartedAt(RepositoryName name, String uuid) {
        return uploadDir(name, uuid) + "/startedat";
    }

    public static String uploadHashStates(RepositoryName name, String uuid) {
        return uploadDir(name, uuid) + "/hashstates";
    }

    // link files

    public static byte[] linkContent(Digest d) {
        return d.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The digest a link file holds, when the backend's MD5 of it ({@link FileInfo#contentMd5()})
     * shows it is exactly one of {@code candidates}: on object storage that spares a GET per link.
     * Empty when there is no MD5 or no candidate matches; then read the link.
     */
    public static Optional<Digest> linkTargetByMd5(FileInfo link, Iterable<Digest> candidates) {
        if (link.contentMd5() == null) {
            return Optional.empty();
        }
        for (Digest d : candidates) {
            if (link.holds(linkContent(d))) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Parses a link file's content; distribution trims whitespace, so do we. */
    public static Digest parseLink(byte[] content) {
        return Digest.parse(new String(content, StandardCharsets.US_ASCII).trim());
    }

    /** The digest named by the {@code <alg>/<hex>} directory pair under _layers or revisions. */
    public static Optional<Digest> parseDigest(String alg, String hex) {
        try {
            return DigestAlgorithm.byId(alg).map(a -> new Digest(a, hex));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The repository name of a path under repositories/, given the path of its _manifests dir. */
    public static Optional<RepositoryName> repositoryOfManifestsDir(String manifestsDir) {
        String prefix = REPOSITORIES + "/";
        String suffix = "/" + MANIFESTS_DIR;
        if (!manifestsDir.startsWith(prefix) || !manifestsDir.endsWith(suffix)
                || manifestsDir.length() < prefix.length() + suffix.length()) {
            return Optional.empty();
        }
        String name = manifestsDir.substring(prefix.length(), manifestsDir.length() - suffix.length());
        return RepositoryName.isValid(name) ? Optional.of(new RepositoryName(name)) : Optional.empty();
    }

    /**
     * Reads a file path back into what it is in the grammar above, or empty for a path that is
     * not part of it (a stray file, a malformed digest directory, an invalid repository name).
     */
    public static Optional<LayoutPath> parse(String path) {
        if (path.startsWith(BLOBS + "/")) {
            return digestOfBlobData(path).map(LayoutPath.BlobData::new);
        }
        if (!path.startsWith(REPOSITORIES + "/")) {
            return Optional.empty();
        }
        String[] p = path.substring(REPOSITORIES.length() + 1).split("/", -1);
        int k = 0;
        while (k < p.length && !p[k].startsWith("_")) {
            k++;
        }
        if (k == 0 || k >= p.length) {
            return Optional.empty();
        }
        String nameValue = String.join("/", java.util.Arrays.copyOfRange(p, 0, k));
        if (!RepositoryName.isValid(nameValue)) {
            return Optional.empty();
        }
        RepositoryName name = new RepositoryName(nameValue);
        String[] r = java.util.Arrays.copyOfRange(p, k, p.length);
        switch (r[0]) {
            case LAYERS_DIR:
                if (r.length == 4 && r[3].equals("link")) {
                    return parseDigest(r[1], r[2]).map(d -> new LayoutPath.LayerLink(name, d));
                }
                return Optional.empty();
            case UPLOADS_DIR:
                if (r.length >= 3 && !r[1].isEmpty()) {
                    return Optional.of(new LayoutPath.UploadFile(name, r[1],
                            String.join("/", java.util.Arrays.copyOfRange(r, 2, r.length))));
                }
                return Optional.empty();
            case MANIFESTS_DIR:
                return parseManifestsPath(name, r);
            default:
                return Optional.empty();
        }
    }

    private static Optional<LayoutPath> parseManifestsPath(RepositoryName name, String[] r) {
        if (r.length == 5 && r[1].equals("revisions") && r[4].equals("link")) {
            return parseDigest(r[2], r[3]).map(d -> new LayoutPath.RevisionLink(name, d));
        }
        if (r.length < 5 || !r[1].equals("tags") || !Tag.isValid(r[2])) {
            return Optional.empty();
        }
        Tag tag = new Tag(r[2]);
        if (r.length == 5 && r[3].equals("current") && r[4].equals("link")) {
            return Optional.of(new LayoutPath.TagCurrentLink(name, tag));
        }
        if (r.length == 7 && r[3].equals("index") && r[6].equals("link")) {
            return parseDigest(r[4], r[5]).map(d -> new LayoutPath.TagIndexLink(name, tag, d));
        }
        return Optional.empty();
    }

    /**
     * The one file each entry of {@code dir} holds when {@code dir} is a digest fan-out:
     * {@code data} for {@code blobs/<alg>/<hex[0:2]>}, {@code link} for {@code _layers/<alg>},
     * {@code _manifests/revisions/<alg>} and {@code _manifests/tags/<tag>/index/<alg>}; null
     * otherwise.
     */
    private static String onlyFileOfEachEntry(String dir) {
        if (dir.startsWith(BLOBS + "/")) {
            String[] r = dir.substring(BLOBS.length() + 1).split("/", -1);
            return r.length == 2 && r[1].length() == 2 && DigestAlgorithm.byId(r[0]).isPresent() ? "data" : null;
        }
        if (!dir.startsWith(REPOSITORIES + "/")) {
            return null;
        }
        String[] c = dir.split("/", -1);
        int n = c.length;
        if (n < 3 || DigestAlgorithm.byId(c[n - 1]).isEmpty()) {
            return null;
        }
        boolean layers = c[n - 2].equals(LAYERS_DIR);
        boolean revisions = c[n - 2].equals("revisions") && c[n - 3].equals(MANIFESTS_DIR);
        boolean index = n >= 5 && c[n - 2].equals("index") && c[n - 4].equals("tags") && c[n - 5].equals(MANIFESTS_DIR);
        return layers || revisions || index ? "link" : null;
    }

    /** {@code repositories/<name>/_layers/<alg>}: each entry is {@code <hex>/link}. */
    public static boolean isLayersFanOut(String dir) {
        int slash = dir.lastIndexOf('/');
        int parent = slash > 0 ? dir.lastIndexOf('/', slash - 1) : -1;
        return parent > 0 && dir.startsWith(REPOSITORIES + "/")
                && dir.substring(parent + 1, slash).equals(LAYERS_DIR)
                && DigestAlgorithm.byId(dir.substring(slash + 1)).isPresent();
    }

    /** What a tag directory holds: its {@code current} link, then its index entries. */
    private static final List<String> TAG_FILES = List.of("current/link", "index/*/*/link");
    private static final List<String> TAG_CURRENT = List.of("current/link");

    /**
     * The files wanted of each entry of {@code dir} (see
     * {@link io.berth.core.storage.WalkVisitor#filesOfEachEntry}): the one file of a digest
     * fan-out ({@link #onlyFileOfEachEntry}), and for a repository's {@code _manifests/tags} each
     * tag's {@code current/link} and {@code index/<alg>/<hex>/link} files, which a directory-wise
     * driver then reaches with one stat and two listings instead of four listings and four stats
     * of directories per tag.
     */
    public static List<String> filesOfEachEntry(String dir) {
        return filesOfEachEntry(dir, TAG_FILES);
    }

    /**
     * {@link #filesOfEachEntry} for walks that skip tag index entries: of each tag only
     * {@code current/link}, stat'ed directly instead of listing three directories per tag.
     */
    public static List<String> filesOfEachEntryWithoutTagIndex(String dir) {
        return filesOfEachEntry(dir, TAG_CURRENT);
    }

    private static List<String> filesOfEachEntry(String dir, List<String> tagFiles) {
        if (dir.startsWith(REPOSITORIES + "/") && dir.endsWith("/" + MANIFESTS_DIR + "/tags")) {
            return tagFiles;
        }
        String only = onlyFileOfEachEntry(dir);
        return only == null ? null : List.of(only);
    }

    public static String baseName(String path) {
        return StoragePaths.baseName(path);
    }
}

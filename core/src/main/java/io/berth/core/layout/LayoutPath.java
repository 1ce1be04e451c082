package io.berth.core.layout;

import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.reference.Tag;

/**
 * What a file path in the store is, as {@link PathLayout#parse} reads it back. Walks of the
 * whole store (gc, verify, migrate) classify every file through this one type, so the grammar
 * in {@link PathLayout} stays the only place that knows the tree.
 */
public sealed interface LayoutPath {

    /** {@code blobs/<alg>/<xx>/<hex>/data} */
    record BlobData(Digest digest) implements LayoutPath {
    }

    /** {@code repositories/<name>/_layers/<alg>/<hex>/link} */
    record LayerLink(RepositoryName repository, Digest digest) implements LayoutPath {
    }

    /** {@code repositories/<name>/_manifests/revisions/<alg>/<hex>/link} */
    record RevisionLink(RepositoryName repository, Digest digest) implements LayoutPath {
    }

    /** {@code repositories/<name>/_manifests/tags/<tag>/current/link} */
    record TagCurrentLink(RepositoryName repository, Tag tag) implements LayoutPath {
    }

    /** {@code repositories/<name>/_manifests/tags/<tag>/index/<alg>/<hex>/link} */
    record TagIndexLink(RepositoryName repository, Tag tag, Digest digest) implements LayoutPath {
    }

    /** Any file under {@code repositories/<name>/_uploads/<uuid>/}; {@code rest} is the path below the uuid. */
    record UploadFile(RepositoryName repository, String uuid, String rest) implements LayoutPath {
    }
}

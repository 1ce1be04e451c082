package io.berth.server.http;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.Manifest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.BlobInfo;
import io.berth.core.registry.ManifestInfo;
import java.util.List;

/**
 * What the API did, reported after each successful operation, with the events distribution's
 * notifications know (push, pull, mount, delete of manifests, tags and blobs) plus the upload
 * sessions a gauge needs. Called on the request's thread: implementations must not block.
 */
public interface ApiListener {
    ApiListener NONE = new ApiListener() {
    };

    /** A pushed manifest; {@code tag} is the reference it was pushed by, or null for a digest. */
    default void manifestPushed(RequestInfo rq, RepositoryName repo, Manifest manifest, String tag) {
    }

    /**
     * A manifest GET or HEAD (distribution reports both as pulls; {@code rq.method()} tells them
     * apart). {@code manifest} is null on a HEAD unless {@link #wantsManifestOnHead()}.
     */
    default void manifestPulled(RequestInfo rq, RepositoryName repo, ManifestInfo info, Manifest manifest,
                                String tag) {
    }

    default void manifestDeleted(RequestInfo rq, RepositoryName repo, Digest digest) {
    }

    default void tagDeleted(RequestInfo rq, RepositoryName repo, String tag) {
    }

    default void blobPushed(RequestInfo rq, RepositoryName repo, BlobInfo blob) {
    }

    /** A blob GET, HEAD or redirect. */
    default void blobPulled(RequestInfo rq, RepositoryName repo, BlobInfo blob) {
    }

    default void blobMounted(RequestInfo rq, RepositoryName repo, BlobInfo blob, RepositoryName from) {
    }

    default void blobDeleted(RequestInfo rq, RepositoryName repo, Digest digest) {
    }

    /** An upload session started or touched (a chunk arrived) on this instance. */
    default void uploadOpened(String uuid) {
    }

    /** An upload session completed, cancelled or discarded. */
    default void uploadClosed(String uuid) {
    }

    /** Whether a HEAD of a manifest should load its body (events with references need it). */
    default boolean wantsManifestOnHead() {
        return false;
    }

    /** Every listener in turn. */
    static ApiListener all(List<ApiListener> listeners) {
        List<ApiListener> ls = listeners.stream().filter(l -> l != NONE).toList();
        if (ls.isEmpty()) {
            return NONE;
        }
        if (ls.size() == 1) {
            return ls.get(0);
        }
        return new ApiListeners(ls);
    }
}

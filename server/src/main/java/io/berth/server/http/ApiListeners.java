package io.berth.server.http;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.Manifest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.BlobInfo;
import io.berth.core.registry.ManifestInfo;
import java.util.List;

/** Several {@link ApiListener}s behind one. */
final class ApiListeners implements ApiListener {
    private final List<ApiListener> ls;

    ApiListeners(List<ApiListener> ls) {
        this.ls = List.copyOf(ls);
    }

    @Override
    public void manifestPushed(RequestInfo rq, RepositoryName repo, Manifest manifest, String tag) {
        ls.forEach(l -> l.manifestPushed(rq, repo, manifest, tag));
    }

    @Override
    public void manifestPulled(RequestInfo rq, RepositoryName repo, ManifestInfo info, Manifest manifest, String tag) {
        ls.forEach(l -> l.manifestPulled(rq, repo, info, manifest, tag));
    }

    @Override
    public void manifestDeleted(RequestInfo rq, RepositoryName repo, Digest digest) {
        ls.forEach(l -> l.manifestDeleted(rq, repo, digest));
    }

    @Override
    public void tagDeleted(RequestInfo rq, RepositoryName repo, String tag) {
        ls.forEach(l -> l.tagDeleted(rq, repo, tag));
    }

    @Override
    public void blobPushed(RequestInfo rq, RepositoryName repo, BlobInfo blob) {
        ls.forEach(l -> l.blobPushed(rq, repo, blob));
    }

    @Override
    public void blobPulled(RequestInfo rq, RepositoryName repo, BlobInfo blob) {
        ls.forEach(l -> l.blobPulled(rq, repo, blob));
    }

    @Override
    public void blobMounted(RequestInfo rq, RepositoryName repo, BlobInfo blob, RepositoryName from) {
        ls.forEach(l -> l.blobMounted(rq, repo, blob, from));
    }

    @Override
    public void blobDeleted(RequestInfo rq, RepositoryName repo, Digest digest) {
        ls.forEach(l -> l.blobDeleted(rq, repo, digest));
    }

    @Override
    public void uploadOpened(String uuid) {
        ls.forEach(l -> l.uploadOpened(uuid));
    }

    @Override
    public void uploadClosed(String uuid) {
        ls.forEach(l -> l.uploadClosed(uuid));
    }

    @Override
    public boolean wantsManifestOnHead() {
        return ls.stream().anyMatch(ApiListener::wantsManifestOnHead);
    }
}

package io.berth.server.http;

import io.berth.core.digest.Digest;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.BlobInfo;
import io.berth.core.registry.ErrorCode;
import io.berth.core.registry.Registry;
import io.berth.core.registry.RegistryException;
import io.berth.core.registry.Repository;
import io.berth.core.registry.UploadStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blob uploads: POST (end-4a/b/c, end-11 mount), PATCH (end-5), PUT (end-6), GET status
 * (end-13) and DELETE (end-14) of {@code /v2/<name>/blobs/uploads/}.
 */
final class UploadEndpoints {
    private static final Pattern CONTENT_RANGE = Pattern.compile("^(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?$");

    private final Registry registry;
    private final ApiListener listener;

    UploadEndpoints(Registry registry, ApiListener listener) {
        this.registry = registry;
        this.listener = listener;
    }

    void start(Exchange ex, RepositoryName name) throws IOException {
        Repository repo = registry.repository(name);
        String mount = ex.query("mount");
        String from = ex.query("from");
        if (mount != null && from != null && tryMount(ex, repo, mount, from)) {
            return;
        }
        String digestParam = ex.query("digest");
        if (digestParam != null) {
            Digest digest = Digest.parse(digestParam);
            String uuid = repo.uploads().start(digest.algorithm());
            listener.uploadOpened(uuid);
            completeAndAnswer(ex, repo, uuid, digest, ex.body(), -1);
            return;
        }
        DigestAlgorithm alg = DigestAlgorithm.SHA256;
        String algParam = ex.query("digest-algorithm");
        if (algParam != null) {
            alg = DigestAlgorithm.byId(algParam).orElseThrow(() -> new RegistryException(ErrorCode.DIGEST_INVALID,
                    "unsupported digest algorithm " + algParam));
        }
        String uuid = repo.uploads().start(alg);
        listener.uploadOpened(uuid);
        uploadHeaders(ex, name, uuid, 0);
        ex.send(202);
    }

    /** end-11: link a blob from another repository without a transfer; false means "upload it instead". */
    private boolean tryMount(Exchange ex, Repository repo, String mount, String from) throws IOException {
        if (!RepositoryName.isValid(from)) {
            return false;
        }
        Digest digest;
        try {
            digest = Digest.parse(mount);
        } catch (IllegalArgumentException e) {
            return false;
        }
        RepositoryName source = new RepositoryName(from);
        Optional<BlobInfo> blob = registry.repository(source).statBlob(digest);
        if (blob.isEmpty()) {
            return false;
        }
        repo.linkBlob(digest);
        ex.setHeader("Location", ex.url("/v2/" + repo.name() + "/blobs/" + digest));
        ex.setHeader("Docker-Content-Digest", digest.toString());
        ex.send(201);
        listener.blobMounted(ex.info(), repo.name(), blob.get(), source);
        return true;
    }

    void handle(Exchange ex, RepositoryName name, String uuid) throws IOException {
        Repository repo = registry.repository(name);
        UploadStore uploads = repo.uploads();
        switch (ex.method()) {
            case "GET" -> {
                long size = uploads.size(uuid);
                uploadHeaders(ex, name, uuid, size);
                ex.send(204);
            }
            case "DELETE" -> {
                uploads.cancel(uuid);
                listener.uploadClosed(uuid);
                ex.send(204);
            }
            case "PATCH" -> {
                listener.uploadOpened(uuid);
                long start = chunkStart(ex);
                long size = uploads.append(uuid, ex.body(), start);
                uploadHeaders(ex, name, uuid, size);
                ex.send(202);
            }
            default -> { // PUT
                String digestParam = ex.query("digest");
                if (digestParam == null) {
                    throw new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required");
                }
                Digest digest = Digest.parse(digestParam);
                long start = chunkStart(ex);
                long len = ex.contentLength();
                boolean hasBody = len > 0 || (len < 0 && ex.header("Transfer-Encoding") != null);
                completeAndAnswer(ex, repo, uuid, digest, hasBody ? ex.body() : null, start);
            }
        }
    }

    private void completeAndAnswer(Exchange ex, Repository repo, String uuid, Digest digest, InputStream body,
                                   long start) throws IOException {
        BlobInfo blob;
        try {
            blob = repo.uploads().complete(uuid, digest, body, start);
        } catch (RegistryException e) {
            if (e.code() == ErrorCode.DIGEST_INVALID || e.code() == ErrorCode.BLOB_UPLOAD_UNKNOWN) {
                listener.uploadClosed(uuid); // a mismatch discards the upload
            }
            throw e;
        }
        listener.uploadClosed(uuid);
        ex.setHeader("Location", ex.url("/v2/" + repo.name() + "/blobs/" + blob.digest()));
        ex.setHeader("Docker-Content-Digest", blob.digest().toString());
        ex.send(201);
        listener.blobPushed(ex.info(), repo.name(), blob);
    }

    /**
     * Where a chunk says it starts. Only a PATCH with both Content-Range and Content-Length is a
     * chunk to check, as in distribution; anything else is a stream appended at the end.
     */
    private static long chunkStart(Exchange ex) {
        String cr = ex.header("Content-Range");
        long len = ex.contentLength();
        if (cr == null || len < 0) {
            return -1;
        }
        Matcher m = CONTENT_RANGE.matcher(cr.trim());
        if (!m.matches()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "malformed Content-Range \"" + cr + "\"",
                    null);
        }
        long start;
        long end;
        try {
            start = Long.parseLong(m.group(1));
            end = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "Content-Range \"" + cr
                    + "\" is beyond any possible size", null);
        }
        if (end < start) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "Content-Range ends before it starts",
                    null);
        }
        if (end - start + 1 != len) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Range " + cr + " does not match Content-Length "
                    + len, Map.of("contentLength", len));
        }
        return start;
    }

    private static void uploadHeaders(Exchange ex, RepositoryName name, String uuid, long size) {
        ex.setHeader("Location", ex.url("/v2/" + name + "/blobs/uploads/" + uuid));
        ex.setHeader("Docker-Upload-UUID", uuid);
        ex.setHeader("Range", "0-" + Math.max(0, size - 1));
    }
}

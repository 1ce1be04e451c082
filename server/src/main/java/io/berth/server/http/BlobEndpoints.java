package io.berth.server.http;

import io.berth.core.digest.Digest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.BlobInfo;
import io.berth.core.registry.ErrorCode;
import io.berth.core.registry.Registry;
import io.berth.core.registry.RegistryException;
import io.berth.core.registry.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;

/** GET, HEAD and DELETE of {@code /v2/<name>/blobs/<digest>} (end-2, end-10). */
final class BlobEndpoints {
    private final Registry registry;
    private final ApiPolicy policy;
    private final ApiListener listener;

    BlobEndpoints(Registry registry, ApiPolicy policy, ApiListener listener) {
        this.registry = registry;
        this.policy = policy;
        this.listener = listener;
    }

    void handle(Exchange ex, RepositoryName name, String ref) throws IOException {
        Digest digest = Digest.parse(ref);
        Repository repo = registry.repository(name);
        if (ex.method().equals("DELETE")) {
            if (!policy.deleteEnabled()) {
                throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled (storage.delete.enabled)");
            }
            if (!repo.unlinkBlob(digest)) {
                throw unknown(digest);
            }
            ex.send(202);
            listener.blobDeleted(ex.info(), name, digest);
            return;
        }
        BlobInfo blob = repo.statBlob(digest).orElseThrow(() -> unknown(digest));
        ex.setHeader("Docker-Content-Digest", digest.toString());
        ex.setHeader("ETag", "\"" + digest + "\"");
        ex.setHeader("Accept-Ranges", "bytes");
        ex.setHeader("Cache-Control", "max-age=31536000");
        long size = blob.size();
        String range = ex.header("Range");
        long[] r = range == null ? null : ByteRange.parse(range, size);
        if (r == ByteRange.UNSATISFIABLE || r == ByteRange.MALFORMED) {
            ex.setHeader("Content-Range", "bytes */" + size);
            throw new RegistryException(ErrorCode.RANGE_INVALID, 416, "range " + range
                    + (r == ByteRange.MALFORMED ? " is malformed" : " is outside the blob"), Map.of("size", size));
        }
        // a range goes to the storage only in the form every backend serves as asked (S3Mock answers
        // 400 to "bytes=500-0", Azure has no suffix ranges); any other is answered here, as without redirects
        if (!ex.isHead() && !policy.redirectDisabled() && (range == null || (r != null && ByteRange.isFromTo(range)))) {
            Optional<String> url = registry.blobs().redirectUrl(digest, "GET", Duration.ofMinutes(20));
            if (url.isPresent()) {
                ex.setHeader("Location", url.get());
                ex.send(307);
                listener.blobPulled(ex.info(), name, blob);
                return;
            }
        }
        long start = 0;
        long length = size;
        int status = 200;
        if (r != null) {
            start = r[0];
            length = r[1] - r[0] + 1;
            status = 206;
            ex.setHeader("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + size);
        }
        ex.response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        ex.response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        if (ex.isHead()) {
            ex.sendHeadersOnly(status);
            listener.blobPulled(ex.info(), name, blob);
            return;
        }
        ex.response.setStatus(status);
        Optional<Path> local = registry.blobs().localFile(digest);
        boolean sent = local.isPresent() ? ex.sendFile(local.get(), start, length)
                : ex.sendStream(registry.blobs().open(digest, start), length);
        if (sent) {
            listener.blobPulled(ex.info(), name, blob);
        }
    }

    private static RegistryException unknown(Digest d) {
        return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + d + " is unknown to this repository",
                Map.of("digest", d.toString()));
    }
}

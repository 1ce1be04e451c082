package io.berth.server.it.cloud;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.berth.storage.azure.AzuriteServer;
import io.berth.storage.s3.S3TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real object store Berth is configured for with distribution's config.yml keys: S3Mock or
 * s3proxy (through {@link S3TestServer}) or Azurite (through {@link AzuriteServer}). The servers
 * are shared by every test in the JVM; each test class makes its own bucket or container.
 * A missing server (classpath file, npm install) fails the test with the helper's message naming it.
 */
abstract class CloudBackend {
    /** Which server. */
    enum Kind { S3MOCK, S3PROXY, AZURITE }

    final Kind kind;

    private CloudBackend(Kind kind) {
        this.kind = kind;
    }

    static CloudBackend of(Kind kind) {
        try {
            return switch (kind) {
                case S3MOCK -> new S3(kind, S3TestServer.shared(S3TestServer.Kind.S3MOCK));
                case S3PROXY -> new S3(kind, S3TestServer.shared(S3TestServer.Kind.S3PROXY));
                case AZURITE -> new Azure(AzuriteServer.shared());
            };
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + kind, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code s3} or {@code azure}: the key under {@code storage:}. */
    abstract String driver();

    /** A new, empty bucket or container. */
    abstract String newStore();

    /** distribution's {@code storage.<driver>} parameters for the store. */
    abstract Map<String, Object> parameters(String store);

    /** Every object (blob) name in the store, for checks of what Berth left behind. */
    abstract List<String> objectNames(String store);

    /** The query parameter every signed redirect URL of this backend carries. */
    abstract String signatureParameter();

    /** Keys of S3 multipart uploads still in progress (Azure has no such thing: empty). */
    List<String> multipartUploadsInProgress(String store) {
        return List.of();
    }

    @Override
    public String toString() {
        return kind.name();
    }

    static final class S3 extends CloudBackend {
        final S3TestServer server;

        S3(Kind kind, S3TestServer server) {
            super(kind);
            this.server = server;
        }

        @Override
        String driver() {
            return "s3";
        }

        @Override
        String newStore() {
            return server.createBucket();
        }

        @Override
        Map<String, Object> parameters(String bucket) {
            // exactly the keys an operator writes for an S3-compatible server
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("region", S3TestServer.REGION);
            p.put("regionendpoint", server.endpoint().toString());
            p.put("forcepathstyle", true);
            p.put("bucket", bucket);
            p.put("accesskey", S3TestServer.ACCESS_KEY);
            p.put("secretkey", S3TestServer.SECRET_KEY);
            p.put("secure", false);
            p.put("rootdirectory", "/registry");
            return p;
        }

        @Override
        List<String> objectNames(String bucket) {
            List<String> names = new ArrayList<>();
            server.admin().listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream()
                    .map(S3Object::key).forEach(names::add);
            return names;
        }

        @Override
        String signatureParameter() {
            return "X-Amz-Signature=";
        }

        @Override
        List<String> multipartUploadsInProgress(String bucket) {
            List<String> keys = new ArrayList<>();
            server.admin().listMultipartUploads(b -> b.bucket(bucket)).uploads().forEach(u -> keys.add(u.key()));
            return keys;
        }
    }

    static final class Azure extends CloudBackend {
        final AzuriteServer server;

        Azure(AzuriteServer server) {
            super(Kind.AZURITE);
            this.server = server;
        }

        @Override
        String driver() {
            return "azure";
        }

        @Override
        String newStore() {
            return server.newContainer();
        }

        @Override
        Map<String, Object> parameters(String container) {
            Map<String, Object> p = new LinkedHashMap<>(server.parameters(container));
            p.put("rootdirectory", "/registry");
            return p;
        }

        @Override
        List<String> objectNames(String container) {
            BlobContainerClient c = server.service().getBlobContainerClient(container);
            List<String> names = new ArrayList<>();
            for (BlobItem b : c.listBlobs(new ListBlobsOptions(), null)) {
                names.add(b.getName());
            }
            return names;
        }

        @Override
        String signatureParameter() {
            return "sig=";
        }
    }
}

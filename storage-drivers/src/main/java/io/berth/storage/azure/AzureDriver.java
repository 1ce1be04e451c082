package io.berth.storage.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobCopyInfo;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlobType;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.AppendBlobCreateOptions;
import com.azure.storage.blob.options.BlobBeginCopyOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.blob.specialized.AppendBlobClient;
import com.azure.storage.blob.specialized.BlobInputStream;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.common.sas.SasProtocol;
import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.InvalidOffsetException;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.StorageException;
import io.berth.core.storage.StoragePaths;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Stores each path as a blob in one Azure Storage container, named as distribution's azure driver
 * names it: {@code rootdirectory} (without its slashes) followed by the path, with no leading
 * slash, so {@code /docker/registry/v2/...} under root {@code /registry} is the blob
 * {@code registry/docker/registry/v2/...}. Either registry can serve the other's container.
 *
 * <p>Small files ({@link #putContent}) are block blobs written by one Put Blob, which replaces the
 * old content atomically. {@link #writer} writes append blobs, as distribution does (see
 * {@link AzureWriter}), so an upload continues on any server. Directories are virtual: a path is
 * a directory when some blob's name starts with it and a slash.
 */
public final class AzureDriver implements StorageDriver {
    /** The largest Append Block every service version (and Azurite) takes: 4 MiB. */
    static final int MAX_APPEND_BLOCK = 4 * 1024 * 1024;
    /** Ranged reads fetch this much per request. */
    static final int READ_BLOCK = 4 * 1024 * 1024;
    /** Validity of the SAS that authorizes a move's copy source. */
    static final Duration COPY_SOURCE_SAS_EXPIRY = Duration.ofHours(1);
    private static final int DELETE_PARALLELISM = 8;
    private static final AtomicInteger POOL_THREADS = new AtomicInteger();
    private static volatile HttpClient sharedHttpClient;

    private final AzureParameters params;
    private final BlobServiceClient service;
    private final BlobContainerClient container;
    /** Set for shared-key credentials, which can sign SAS URLs; null for Azure AD tokens. */
    private final StorageSharedKeyCredential sharedKey;
    private final String rootPrefix;
    private ExecutorService deletePool;

    public AzureDriver(AzureParameters params) {
        this(params, List.of());
    }

    /** With extra per-try HTTP policies: the tests' way to inject the failures Azurite never makes. */
    AzureDriver(AzureParameters params, List<HttpPipelinePolicy> extraPolicies) {
        this.params = params;
        HttpClient http = params.skipVerify() ? insecureHttpClient() : sharedHttpClient();
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .endpoint(params.serviceUrl())
                .httpClient(http)
                // transient failures (500, 503, timeouts, broken connections) are retried with backoff
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 5, (Duration) null,
                        Duration.ofMillis(500), Duration.ofSeconds(30), null));
        extraPolicies.forEach(builder::addPolicy);
        switch (params.credentialsType()) {
            case SHARED_KEY -> {
                sharedKey = new StorageSharedKeyCredential(params.accountName(), params.accountKey());
                builder.credential(sharedKey);
            }
            case CLIENT_SECRET -> {
                sharedKey = null;
                TokenCredential cred = new ClientSecretCredentialBuilder().clientId(params.clientId())
                        .tenantId(params.tenantId()).clientSecret(params.secret()).httpClient(http).build();
                builder.credential(cred);
            }
            default -> {
                sharedKey = null;
                builder.credential(new DefaultAzureCredentialBuilder().httpClient(http).build());
            }
        }
        this.service = builder.buildClient();
        this.container = service.getBlobContainerClient(params.container());
        this.rootPrefix = params.rootDirectory().isEmpty() ? "" : params.rootDirectory() + "/";
    }

    /** A driver from config.yml's {@code storage.azure} map; IllegalArgumentException names a bad key. */
    public static AzureDriver fromParameters(Map<String, Object> parameters) {
        return new AzureDriver(AzureParameters.parse(parameters));
    }

    public AzureParameters parameters() {
        return params;
    }

    @Override
    public String name() {
        return "azure";
    }

    /**
     * Checks that the service answers, the credentials work and the container exists, with a message
     * naming the config key to fix. Meant for start-up, before the first request fails obscurely.
     */
    public void checkAccess() throws StorageException {
        boolean exists;
        try {
            exists = container.exists();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 403 || e.getStatusCode() == 401) {
                boolean sharedKeyAuth = params.credentialsType() == AzureParameters.CredentialsType.SHARED_KEY;
                throw new StorageException("/", (sharedKeyAuth ? "storage.azure.accountkey: authentication failed"
                        : "storage.azure.credentials: authentication failed or no data access role")
                        + " for account " + params.accountName() + " at " + params.serviceUrl() + " ("
                        + e.getStatusCode() + " " + e.getErrorCode() + ")", e);
            }
            throw new StorageException("/", "storage.azure.serviceurl: " + params.serviceUrl() + " answered "
                    + e.getStatusCode() + " " + e.getErrorCode() + " for container " + params.container(), e);
        } catch (ClientAuthenticationException e) {
            throw new StorageException("/", "storage.azure.credentials: cannot get an Azure AD token ("
                    + params.credentialsType().configName + "): " + rootMessage(e), e);
        } catch (RuntimeException e) {
            throw new StorageException("/", "storage.azure.serviceurl: cannot reach " + params.serviceUrl() + ": "
                    + rootMessage(e), e);
        }
        if (!exists) {
            throw new StorageException("/", "storage.azure.container: container " + params.container()
                    + " does not exist in account " + params.accountName());
        }
    }

    // ---- names ----

    /** distribution's blobName: rootdirectory + path, without a leading slash. */
    String blobName(String path) {
        return rootPrefix + path.substring(1);
    }

    /** The prefix every blob under a directory path has: "" or "root/" for "/", else the name and a slash. */
    private String dirPrefix(String path) {
        return "/".equals(path) ? rootPrefix : blobName(path) + "/";
    }

    private BlobClient blob(String path) {
        return container.getBlobClient(blobName(path));
    }

    // ---- content ----

    @Override
    public byte[] getContent(String path) throws IOException {
        BlobClient blob = blob(StoragePaths.check(path));
        try {
            return blob.downloadContent().toBytes();
        } catch (RuntimeException e) {
            throw error(path, "read", e);
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        BlobClient blob = blob(StoragePaths.check(path));
        BlockBlobSimpleUploadOptions upload = new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(content));
        try {
            blob.getBlockBlobClient().uploadWithResponse(upload, null, Context.NONE);
        } catch (BlobStorageException e) {
            if (!isInvalidBlobType(e)) {
                throw error(path, "write", e);
            }
            // An append blob (from a writer) is here: Azure will not turn it into a block blob in
            // place, so delete it first, as distribution does. Readers may see the path missing briefly.
            deleteBlobIfExists(path, blob.getBlobName());
            try {
                blob.getBlockBlobClient().uploadWithResponse(upload, null, Context.NONE);
            } catch (RuntimeException e2) {
                throw error(path, "write", e2);
            }
        } catch (RuntimeException e) {
            throw error(path, "write", e);
        }
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        BlobClient blob = blob(StoragePaths.check(path));
        if (offset < 0) {
            throw new InvalidOffsetException(path, offset);
        }
        RuntimeException failure;
        try {
            // the stream fetches its first block now, so a missing blob fails here, not on read()
            BlobInputStream in = blob.openInputStream(new BlobInputStreamOptions().setRange(new BlobRange(offset))
                    .setBlockSize(READ_BLOCK));
            long size = in.getProperties().getBlobSize();
            if (offset < size) {
                return in;
            }
            in.close(); // Azurite answers a range past the end with the whole blob; Azure says 416
            return atEnd(path, offset, size);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                throw error(path, "read", e);
            }
            failure = e;
        } catch (RuntimeException e) {
            failure = e;
        }
        // 416 (the offset is at or past the end; an empty blob has no range at all) or a range the SDK
        // could not parse: decide by the size
        long size = properties(path, blob).getBlobSize();
        if (offset >= size) {
            return atEnd(path, offset, size);
        }
        throw error(path, "read", failure);
    }

    private static InputStream atEnd(String path, long offset, long size) throws InvalidOffsetException {
        if (offset == size) {
            return InputStream.nullInputStream();
        }
        throw new InvalidOffsetException(path, offset);
    }

    private BlobProperties properties(String path, BlobClient blob) throws IOException {
        try {
            return blob.getProperties();
        } catch (RuntimeException e) {
            throw error(path, "stat", e);
        }
    }

    // ---- writer ----

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        BlobClient blob = blob(StoragePaths.check(path));
        AppendBlobClient appendBlob = blob.getAppendBlobClient();
        if (!append) {
            createAppendBlob(path, appendBlob, null);
            return new AzureWriter(this, path, appendBlob, 0);
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            BlobProperties props;
            try {
                props = blob.getProperties();
            } catch (BlobStorageException e) {
                if (e.getStatusCode() != 404) {
                    throw error(path, "stat", e);
                }
                // nothing to continue: start a new append blob, unless another writer just did
                if (createAppendBlob(path, appendBlob, "*")) {
                    return new AzureWriter(this, path, appendBlob, 0);
                }
                continue;
            } catch (RuntimeException e) {
                throw error(path, "stat", e);
            }
            if (props.getBlobType() == BlobType.APPEND_BLOB) {
                return new AzureWriter(this, path, appendBlob, props.getBlobSize());
            }
            // a block blob (putContent, or a move of one): rewrite it as an append blob
            if (convertToAppendBlob(path, blob, props)) {
                return new AzureWriter(this, path, appendBlob, props.getBlobSize());
            }
        }
        throw new StorageException(path, "azure: " + path + " kept changing while a writer opened it; try again");
    }

    /**
     * Creates an empty append blob, replacing what is there ({@code ifNoneMatch} null) or only
     * where nothing is ({@code "*"}; returns false when something appeared meanwhile).
     */
    private boolean createAppendBlob(String path, AppendBlobClient appendBlob, String ifNoneMatch) throws IOException {
        AppendBlobCreateOptions options = new AppendBlobCreateOptions()
                .setRequestConditions(new BlobRequestConditions().setIfNoneMatch(ifNoneMatch));
        try {
            appendBlob.createWithResponse(options, null, Context.NONE);
            return true;
        } catch (BlobStorageException e) {
            if (ifNoneMatch != null && (e.getStatusCode() == 409 || e.getStatusCode() == 412)) {
                return false;
            }
            if (!isInvalidBlobType(e)) {
                throw error(path, "create", e);
            }
        } catch (RuntimeException e) {
            throw error(path, "create", e);
        }
        // a block blob is in the way and the service will not change a blob's type in place
        deleteBlobIfExists(path, appendBlob.getBlobName());
        try {
            appendBlob.createWithResponse(options, null, Context.NONE);
            return true;
        } catch (RuntimeException e) {
            throw error(path, "create", e);
        }
    }

    /**
     * Replaces a block blob by an append blob with the same bytes, so that a writer can continue it.
     * The bytes go through a local temp file: the service cannot change a blob's type in place, and
     * between the delete and the last append readers see the path missing or short. Returns false
     * when the blob changed meanwhile (the caller looks again).
     */
    private boolean convertToAppendBlob(String path, BlobClient blob, BlobProperties props) throws IOException {
        BlobRequestConditions sameBlob = new BlobRequestConditions().setIfMatch(props.getETag());
        AppendBlobClient appendBlob = blob.getAppendBlobClient();
        Path tmp = props.getBlobSize() == 0 ? null : Files.createTempFile("berth-azure-", ".blob");
        try {
            if (tmp != null) {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    blob.downloadStreamWithResponse(out, null, null, sameBlob, false, null, Context.NONE);
                }
            }
            try {
                blob.deleteWithResponse(DeleteSnapshotsOptionType.INCLUDE, sameBlob, null, Context.NONE);
            } catch (BlobStorageException e) {
                if (e.getStatusCode() == 404 || e.getStatusCode() == 412) {
                    return false;
                }
                throw e;
            }
            if (!createAppendBlob(path, appendBlob, "*")) {
                return false; // someone else created it in between; never overwrite their data
            }
            if (tmp != null) {
                try (AzureWriter w = new AzureWriter(this, path, appendBlob, 0);
                        InputStream in = Files.newInputStream(tmp)) {
                    in.transferTo(w);
                } catch (IOException | RuntimeException e) {
                    try { // put the old content back as it was, a block blob
                        deleteBlobIfExists(path, blob.getBlobName());
                        blob.uploadFromFile(tmp.toString(), true);
                    } catch (IOException | RuntimeException restore) {
                        e.addSuppressed(restore);
                    }
                    throw e;
                }
            }
            return true;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 404) {
                return false; // changed or deleted while we downloaded it
            }
            throw error(path, "convert to append blob", e);
        } catch (RuntimeException e) {
            throw error(path, "convert to append blob", e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    // ---- metadata ----

    @Override
    public FileInfo stat(String path) throws IOException {
        BlobClient blob = blob(StoragePaths.check(path));
        try {
            BlobProperties props = blob.getProperties();
            return new FileInfo(path, props.getBlobSize(), instant(props.getLastModified()), false);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 404) {
                throw error(path, "stat", e);
            }
        } catch (RuntimeException e) {
            throw error(path, "stat", e);
        }
        // not a blob: a directory if any blob's name starts with "path/"
        try {
            ListBlobsOptions options = new ListBlobsOptions().setPrefix(dirPrefix(path)).setMaxResultsPerPage(1);
            for (BlobItem item : container.listBlobs(options, null)) {
                return new FileInfo(path, 0, instant(item.getProperties().getLastModified()), true);
            }
        } catch (RuntimeException e) {
            throw error(path, "list", e);
        }
        throw new PathNotFoundException(path);
    }

    /** Each file's blob by name: no listing, as there are no directories to remove. */
    @Override
    public void deleteEntries(List<String> files) throws IOException {
        for (String f : files) {
            try {
                blob(StoragePaths.check(f)).deleteIfExists();
            } catch (RuntimeException e) {
                throw error(f, "delete", e);
            }
        }
    }

    @Override
    public FileInfo statFile(String path) throws IOException {
        try {
            BlobProperties props = blob(StoragePaths.check(path)).getProperties();
            return new FileInfo(path, props.getBlobSize(), instant(props.getLastModified()), false);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                throw new PathNotFoundException(path);
            }
            throw error(path, "stat", e);
        } catch (RuntimeException e) {
            throw error(path, "stat", e);
        }
    }

    @Override
    public List<String> list(String path) throws IOException {
        StoragePaths.checkDir(path);
        String prefix = dirPrefix(path);
        List<String> children = new ArrayList<>();
        try {
            for (BlobItem item : container.listBlobsByHierarchy("/", new ListBlobsOptions().setPrefix(prefix), null)) {
                String rel = item.getName().substring(prefix.length());
                if (Boolean.TRUE.equals(item.isPrefix()) && rel.endsWith("/")) {
                    rel = rel.substring(0, rel.length() - 1);
                }
                if (!rel.isEmpty() && rel.indexOf('/') < 0) {
                    children.add(StoragePaths.join(path, rel));
                }
            }
        } catch (RuntimeException e) {
            throw error(path, "list", e);
        }
        if (children.isEmpty() && !"/".equals(path)) {
            throw new PathNotFoundException(path);
        }
        // a name may be both a blob and a prefix ("a" and "a/b"): list it once
        return children.stream().sorted().distinct().toList();
    }

    // ---- move and delete ----

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        BlobClient source = blob(StoragePaths.check(sourcePath));
        BlobClient dest = blob(StoragePaths.check(destPath));
        if (sourcePath.equals(destPath)) {
            stat(sourcePath); // nothing to do, but a missing source is still an error
            return;
        }
        String sourceUrl = blobUrl(source);
        if (sharedKey != null) {
            // distribution signs the source too; within one account Azure would also accept the key
            sourceUrl += "?" + source.generateSas(new BlobServiceSasSignatureValues(
                    OffsetDateTime.now(ZoneOffset.UTC).plus(COPY_SOURCE_SAS_EXPIRY),
                    new BlobSasPermission().setReadPermission(true)).setProtocol(sasProtocol()));
        }
        try {
            copy(sourcePath, dest, sourceUrl);
        } catch (BlobStorageException e) {
            if (!isInvalidBlobType(e)) {
                throw moveError(sourcePath, destPath, e);
            }
            // the destination has the other blob type; a copy must match it, so clear the way
            deleteBlobIfExists(destPath, dest.getBlobName());
            try {
                copy(sourcePath, dest, sourceUrl);
            } catch (RuntimeException e2) {
                throw moveError(sourcePath, destPath, e2);
            }
        } catch (RuntimeException e) {
            throw moveError(sourcePath, destPath, e);
        }
        deleteBlobIfExists(sourcePath, source.getBlobName());
    }

    private IOException moveError(String sourcePath, String destPath, RuntimeException e) {
        if (e instanceof BlobStorageException b && b.getStatusCode() == 404) {
            return error(sourcePath, "move", e); // the source is missing (CannotVerifyCopySource or BlobNotFound)
        }
        return error(sourcePath, "move to " + destPath + ":", e);
    }

    /** Server-side copy, polled as distribution polls it: max_retries times, retry_delay × attempt apart. */
    private void copy(String sourcePath, BlobClient dest, String sourceUrl) throws IOException {
        SyncPoller<BlobCopyInfo, Void> poller = dest.beginCopy(new BlobBeginCopyOptions(sourceUrl)
                .setPollInterval(params.retryDelay().isZero() ? Duration.ofMillis(1) : params.retryDelay()));
        for (int attempt = 1; ; attempt++) {
            PollResponse<BlobCopyInfo> response = poller.poll();
            LongRunningOperationStatus status = response.getStatus();
            if (status == LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                return;
            }
            if (status == LongRunningOperationStatus.FAILED || status == LongRunningOperationStatus.USER_CANCELLED) {
                BlobCopyInfo info = response.getValue();
                throw new StorageException(sourcePath, "azure copy of " + sourcePath + " failed: "
                        + (info == null ? status : info.getCopyStatus() + " " + info.getError()));
            }
            if (params.maxRetries() == -1 || attempt >= params.maxRetries()) {
                try {
                    poller.cancelOperation();
                } catch (RuntimeException e) {
                    // the copy may have finished meanwhile; the error below still stands
                }
                throw new StorageException(sourcePath, "azure copy of " + sourcePath + " still pending after "
                        + attempt + " polls (storage.azure.max_retries); aborted");
            }
            sleep(params.retryDelay().multipliedBy(attempt));
        }
    }

    @Override
    public void delete(String path) throws IOException {
        BlobClient blob = blob(StoragePaths.check(path));
        try {
            blob.deleteWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, null, Context.NONE);
            return;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 404) {
                throw error(path, "delete", e);
            }
        } catch (RuntimeException e) {
            throw error(path, "delete", e);
        }
        // a directory: every blob under "path/" (so "/a/b" spares "/a/bc"), a page at a time in parallel
        String prefix = dirPrefix(path);
        int deleted = 0;
        try {
            for (var page : container.listBlobs(new ListBlobsOptions().setPrefix(prefix), null).iterableByPage()) {
                List<CompletableFuture<Void>> pending = new ArrayList<>();
                for (BlobItem item : page.getValue()) {
                    String name = item.getName();
                    pending.add(CompletableFuture.runAsync(() -> {
                        try {
                            deleteBlobIfExists(path, name);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, deletePool()));
                    deleted++;
                }
                try {
                    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
                } catch (CompletionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof UncheckedIOException u) {
                        throw u.getCause();
                    }
                    throw cause instanceof RuntimeException r ? r : e;
                }
            }
        } catch (RuntimeException e) {
            throw error(path, "delete", e);
        }
        if (deleted == 0) {
            throw new PathNotFoundException(path);
        }
    }

    /** Deletes one blob by name; a blob that is already gone is fine. */
    void deleteBlobIfExists(String path, String blobName) throws IOException {
        try {
            container.getBlobClient(blobName).deleteWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, null,
                    Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 404) {
                throw error(path, "delete", e);
            }
        } catch (RuntimeException e) {
            throw error(path, "delete", e);
        }
    }

    private synchronized ExecutorService deletePool() {
        if (deletePool == null) {
            deletePool = Executors.newFixedThreadPool(DELETE_PARALLELISM, r -> {
                Thread t = new Thread(r, "berth-azure-delete-" + POOL_THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return deletePool;
    }

    /** True: one listing per 5000 blobs; a stat is a request each. */
    @Override
    public boolean walksCheaply() {
        return true;
    }

    // ---- walk ----

    /**
     * One flat listing of everything under the path (a request per 5,000 blobs, not one per
     * directory), put into walk order by {@link FlatWalk}.
     */
    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        StoragePaths.checkDir(path);
        String prefix = dirPrefix(path);
        FlatWalk walk = new FlatWalk(path, visitor);
        try {
            for (BlobItem item : container.listBlobs(new ListBlobsOptions().setPrefix(prefix), null)) {
                Long size = item.getProperties().getContentLength();
                byte[] md5 = item.getProperties().getContentMd5();
                if (!walk.add(item.getName().substring(prefix.length()), size == null ? 0 : size,
                        instant(item.getProperties().getLastModified()),
                        md5 == null || md5.length != 16 ? null : HexFormat.of().formatHex(md5))) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            throw error(path, "list", e);
        }
        if (!walk.any() && !"/".equals(path)) {
            throw new PathNotFoundException(path);
        }
        walk.finish();
    }

    // ---- redirect ----

    /**
     * A read-only SAS URL for GET and HEAD, valid for {@code expiry}, when the driver holds the
     * account key; empty with Azure AD credentials (the registry then serves the bytes itself).
     */
    @Override
    public Optional<String> redirectUrl(String path, String method, Duration expiry) throws IOException {
        BlobClient blob = blob(StoragePaths.check(path));
        if (sharedKey == null || !("GET".equalsIgnoreCase(method) || "HEAD".equalsIgnoreCase(method))) {
            return Optional.empty();
        }
        BlobServiceSasSignatureValues values = new BlobServiceSasSignatureValues(
                OffsetDateTime.now(ZoneOffset.UTC).plus(expiry), new BlobSasPermission().setReadPermission(true))
                .setStartTime(OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(10)) // the service's clock may lag
                .setProtocol(sasProtocol());
        return Optional.of(blobUrl(blob) + "?" + blob.generateSas(values));
    }

    /** The blob's URL with its slashes as slashes (the SDK's getBlobUrl escapes them as %2F). */
    private String blobUrl(BlobClient blob) {
        StringBuilder url = new StringBuilder(container.getBlobContainerUrl());
        for (String segment : blob.getBlobName().split("/", -1)) {
            url.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return url.toString();
    }

    private SasProtocol sasProtocol() {
        return params.serviceUrl().startsWith("https://") ? SasProtocol.HTTPS_ONLY : SasProtocol.HTTPS_HTTP;
    }

    @Override
    public synchronized void close() {
        if (deletePool != null) {
            deletePool.shutdownNow();
            deletePool = null;
        }
    }

    @Override
    public String toString() {
        return params.toString();
    }

    // ---- helpers ----

    /** 404 (BlobNotFound, CannotVerifyCopySource) is PathNotFound; the rest say what failed. */
    IOException error(String path, String operation, RuntimeException e) {
        if (e instanceof BlobStorageException b) {
            if (b.getStatusCode() == 404 && "ContainerNotFound".equals(String.valueOf(b.getErrorCode()))) {
                // unlike distribution, not PathNotFound: a wrong container must not look like an empty registry
                return new StorageException(path, "storage.azure.container: container " + params.container()
                        + " does not exist in account " + params.accountName() + " (" + operation + " " + path + ")", e);
            }
            if (b.getStatusCode() == 404) {
                PathNotFoundException pnf = new PathNotFoundException(path);
                pnf.initCause(e);
                return pnf;
            }
            return new StorageException(path, "azure " + operation + " " + path + ": " + b.getStatusCode() + " "
                    + b.getErrorCode() + " (container " + params.container() + ")", e);
        }
        if (e instanceof UncheckedIOException u && u.getCause() instanceof StorageException s) {
            return s;
        }
        return new StorageException(path, "azure " + operation + " " + path + ": " + rootMessage(e), e);
    }

    private static boolean isInvalidBlobType(BlobStorageException e) {
        return e.getStatusCode() == 409 && "InvalidBlobType".equals(String.valueOf(e.getErrorCode()));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? Instant.EPOCH : t.toInstant();
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for an azure copy");
        }
    }

    private static HttpClient sharedHttpClient() {
        HttpClient c = sharedHttpClient;
        if (c == null) {
            synchronized (AzureDriver.class) {
                c = sharedHttpClient;
                if (c == null) {
                    c = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                            .version(java.net.http.HttpClient.Version.HTTP_1_1)).build();
                    sharedHttpClient = c;
                }
            }
        }
        return c;
    }

    /** skipverify: trusts any certificate (hostname checks stay the JDK's). For test endpoints only. */
    private static HttpClient insecureHttpClient() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).sslContext(ssl)).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("storage.azure.skipverify: cannot set up TLS: " + e, e);
        }
    }
}

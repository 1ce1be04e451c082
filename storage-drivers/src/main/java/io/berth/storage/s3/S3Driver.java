package io.berth.storage.s3;

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
import java.io.InterruptedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Stores each path as the object {@code <rootdirectory>/<path>} of a bucket, the same keys
 * distribution's s3-aws driver uses, so either registry can serve the other's bucket.
 *
 * <p>Directories do not exist on S3: a path is a directory when some key starts with
 * {@code <key>/}. Writers use multipart uploads that survive the writer (and the process): see
 * {@link S3Writer}. All calls go through the SDK's standard retry strategy (5 attempts), which
 * absorbs throttling and transient 500/503 answers.
 */
public final class S3Driver implements StorageDriver {
    /** S3's smallest part (all but the last part of a multipart upload). */
    static final int MIN_PART_SIZE = S3DriverParameters.MIN_CHUNK_SIZE;
    /** S3's largest part, and the largest single CopyObject. */
    static final long MAX_PART_SIZE = S3DriverParameters.MAX_CHUNK_SIZE;
    /** The most keys ListObjectsV2 returns and DeleteObjects takes in one call. */
    static final int LIST_MAX = 1000;

    private final S3DriverParameters params;
    private final SdkHttpClient httpClient;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final String keyPrefix;
    private final ExecutorService ioPool;
    /**
     * True once the server answered DeleteObjects with 501 (s3proxy 2.6 refuses the SDK's CRC32
     * header): calls that need a checksum are then signed with Content-MD5 alone.
     */
    private volatile boolean md5OnlyChecksums;
    /** False once DeleteObjects failed with 501 even so: keys are then deleted one by one. */
    private volatile boolean bulkDelete = true;
    /** False once the server showed an ETag that is not the MD5 of the bytes; see getContent. */
    private volatile boolean md5Etags = true;

    /** The socket read timeout of the driver's HTTP connections when none is given. */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);

    public S3Driver(S3DriverParameters params) {
        this(params, DEFAULT_SOCKET_TIMEOUT);
    }

    /**
     * A driver whose HTTP connections give up on a response that sends nothing for
     * {@code socketTimeout} (the SDK then retries the request). Not a config.yml key; for
     * embedding and tests against servers that can stall a response.
     */
    public S3Driver(S3DriverParameters params, Duration socketTimeout) {
        this.params = params;
        this.bucket = params.bucket();
        this.keyPrefix = params.keyPrefix();

        AttributeMap.Builder httpDefaults = AttributeMap.builder();
        if (params.skipVerify()) {
            httpDefaults.put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE);
        }
        int maxConnections = (int) Math.max(100, Math.min(params.multipartCopyMaxConcurrency() + 20, 1000));
        this.httpClient = ApacheHttpClient.builder()
                .maxConnections(maxConnections)
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(socketTimeout)
                .buildWithDefaults(httpDefaults.build());

        AwsCredentialsProvider credentials = credentials(params);
        URI endpoint = endpoint(params);
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(httpClient)
                .region(Region.of(params.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(params.forcePathStyle())
                .accelerate(params.accelerate())
                .dualstackEnabled(params.useDualStack())
                .fipsEnabled(params.useFipsEndpoint())
                // S3-compatible servers (and the test servers) do not all know the SDK's default
                // CRC checksums; send and check them only where the API requires them
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // and where the API requires one (DeleteObjects) also send the Content-MD5 that older
                // S3-compatible servers demand (the SDK's CRC32 header is sent too; see deleteBatch)
                .addPlugin(LegacyMd5Plugin.create())
                .putAuthScheme(new Md5OnlySigning(() -> md5OnlyChecksums))
                // over plain HTTP the SDK signs payloads; aws-chunked signing (its default there)
                // costs an HMAC and a copy per 128 KiB chunk, where one SHA-256 of the (always
                // in-memory) body does; over HTTPS payloads are not signed and this changes nothing
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .overrideConfiguration(o -> {
                    o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(5).build());
                    if (params.userAgent() != null) {
                        o.putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, params.userAgent());
                    }
                });
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
            if (params.forcePathStyle() && !params.accelerate() && !params.useDualStack() && !params.useFipsEndpoint()) {
                builder.endpointProvider(new PathStyleEndpoints(endpoint));
            }
        }
        this.s3 = builder.build();

        S3Presigner.Builder pb = S3Presigner.builder()
                .region(Region.of(params.region()))
                .credentialsProvider(credentials)
                .dualstackEnabled(params.useDualStack())
                .fipsEnabled(params.useFipsEndpoint())
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(params.forcePathStyle())
                        .accelerateModeEnabled(params.accelerate())
                        .build());
        if (endpoint != null) {
            pb.endpointOverride(endpoint);
        }
        this.presigner = pb.build();

        AtomicInteger threads = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "s3-io-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.ioPool = Executors.newCachedThreadPool(tf);
    }

    /** Builds the driver from config.yml's {@code storage.s3} map; see {@link S3DriverParameters#from}. */
    public static S3Driver fromParameters(Map<String, Object> parameters) {
        return new S3Driver(S3DriverParameters.from(parameters));
    }

    private static AwsCredentialsProvider credentials(S3DriverParameters p) {
        if (p.accessKey() == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(p.sessionToken() == null
                ? AwsBasicCredentials.create(p.accessKey(), p.secretKey())
                : AwsSessionCredentials.create(p.accessKey(), p.secretKey(), p.sessionToken()));
    }

    private static URI endpoint(S3DriverParameters p) {
        if (p.regionEndpoint() != null) {
            return p.endpointUri();
        }
        if (!p.secure()) { // distribution's DisableSSL: plain http to the regional AWS endpoint
            String host = "s3." + p.region() + ".amazonaws.com" + (p.region().startsWith("cn-") ? ".cn" : "");
            return URI.create("http://" + host);
        }
        return null;
    }

    public S3DriverParameters parameters() {
        return params;
    }

    @Override
    public String name() {
        return "s3";
    }

    /**
     * Checks at start-up that the bucket exists and the credentials may use it, with a message
     * naming the config key to fix.
     */
    public void checkAccess() throws StorageException {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            throw new StorageException("/", "storage.s3.bucket: bucket " + bucket + " does not exist", e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new StorageException("/", "storage.s3.bucket: bucket " + bucket + " does not exist", e);
            }
            if (e.statusCode() == 403 || e.statusCode() == 401) {
                throw new StorageException("/", "storage.s3.accesskey: access denied to bucket " + bucket
                        + " (check accesskey/secretkey or the instance's credentials)", e);
            }
            if (e.statusCode() == 301 || e.statusCode() == 400) {
                throw new StorageException("/", "storage.s3.region: bucket " + bucket + " answered " + e.statusCode()
                        + "; is it in region " + params.region() + "?", e);
            }
            throw new StorageException("/", "storage.s3: cannot reach bucket " + bucket + ": " + describe(e), e);
        } catch (SdkException e) {
            if (isCredentialsProblem(e)) {
                throw new StorageException("/", "storage.s3.accesskey: no credentials: " + e.getMessage(), e);
            }
            throw new StorageException("/", "storage.s3.regionendpoint: cannot reach S3 for bucket " + bucket + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean isCredentialsProblem(SdkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("credentials") || m.contains("Credentials")) {
                return true;
            }
        }
        return false;
    }

    // ---- keys ----

    /** distribution's {@code s3Path}: {@code strings.TrimLeft(strings.TrimRight(root, "/") + path, "/")}. */
    static String s3Path(String rootDirectory, String path) {
        String root = rootDirectory;
        int end = root.length();
        while (end > 0 && root.charAt(end - 1) == '/') {
            end--;
        }
        String joined = root.substring(0, end) + path;
        int start = 0;
        while (start < joined.length() && joined.charAt(start) == '/') {
            start++;
        }
        return joined.substring(start);
    }

    String key(String path) {
        return s3Path(params.rootDirectory(), path);
    }

    /** The key prefix of a directory's contents: "" or ends in "/". */
    private String dirPrefix(String dir) {
        return "/".equals(dir) ? keyPrefix : key(dir) + "/";
    }

    private String pathOf(String key) {
        return "/" + key.substring(keyPrefix.length());
    }

    String bucket() {
        return bucket;
    }

    S3Client client() {
        return s3;
    }

    // ---- content ----

    /**
     * The whole object, checked: its length against Content-Length and, for a single-part object
     * not encrypted with KMS, its MD5 against the ETag. A read that was cut short or torn (a
     * server that streams a file being replaced under it, as s3proxy's filesystem backend and
     * S3Mock can) is read again, up to 5 times. These are small files, so the MD5 costs little.
     * A server whose plain-looking ETags are not MD5s (MinIO with encryption, say) shows itself
     * by returning the same bytes and ETag twice; the driver then stops comparing MD5s.
     */
    @Override
    public byte[] getContent(String path) throws IOException {
        String key = key(StoragePaths.check(path));
        String previous = null;
        for (int attempt = 1; ; attempt++) {
            ResponseBytes<GetObjectResponse> r;
            try {
                r = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            } catch (S3Exception e) {
                if (e.statusCode() == 500 && ancestorIsObject(key)) {
                    throw notFound(path, e);
                }
                throw mapped(path, "GetObject", e);
            } catch (SdkException e) {
                throw mapped(path, "GetObject", e);
            }
            byte[] content = r.asByteArray();
            GetObjectResponse response = r.response();
            if (response.contentLength() != null && response.contentLength() != content.length) {
                previous = null; // cut short: read again
            } else {
                String md5 = md5Etags ? md5Mismatch(response, content) : null;
                if (md5 == null) {
                    return content;
                }
                if (md5.equals(previous)) { // the same bytes under the same ETag twice: not an MD5 ETag
                    md5Etags = false;
                    return content;
                }
                previous = md5;
            }
            if (attempt == 5) {
                throw new StorageException(path, "s3 GetObject " + path + ": the bytes read do not match the object's"
                        + " Content-Length or ETag, in 5 reads");
            }
            try {
                Thread.sleep(20L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading " + path);
            }
        }
    }

    /**
     * Null if the bytes match the response's ETag, or it is not an MD5 ETag (multipart, KMS,
     * SSE-C); else the ETag and the MD5 of the bytes, as one string.
     */
    static String md5Mismatch(GetObjectResponse r, byte[] content) {
        String etag = FileInfo.md5OfEtag(r.eTag());
        if (etag == null || r.serverSideEncryption() == ServerSideEncryption.AWS_KMS
                || r.serverSideEncryption() == ServerSideEncryption.AWS_KMS_DSSE || r.sseCustomerAlgorithm() != null) {
            return null;
        }
        try {
            String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
            return md5.equalsIgnoreCase(etag) ? null : etag + " " + md5;
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        String key = key(StoragePaths.check(path));
        try {
            s3.putObject(putRequest(key), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw mapped(path, "PutObject", e);
        }
    }

    PutObjectRequest putRequest(String key) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(bucket).key(key)
                .contentType("application/octet-stream");
        if (params.encrypt()) {
            b.serverSideEncryption(params.keyId() == null ? ServerSideEncryption.AES256 : ServerSideEncryption.AWS_KMS);
            if (params.keyId() != null) {
                b.ssekmsKeyId(params.keyId());
            }
        }
        if (params.storageClass() != null) {
            b.storageClass(StorageClass.fromValue(params.storageClass()));
        }
        if (params.objectAcl() != null) {
            b.acl(ObjectCannedACL.fromValue(params.objectAcl()));
        }
        return b.build();
    }

    CreateMultipartUploadRequest createUploadRequest(String key) {
        CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                .contentType("application/octet-stream");
        if (params.encrypt()) {
            b.serverSideEncryption(params.keyId() == null ? ServerSideEncryption.AES256 : ServerSideEncryption.AWS_KMS);
            if (params.keyId() != null) {
                b.ssekmsKeyId(params.keyId());
            }
        }
        if (params.storageClass() != null) {
            b.storageClass(StorageClass.fromValue(params.storageClass()));
        }
        if (params.objectAcl() != null) {
            b.acl(ObjectCannedACL.fromValue(params.objectAcl()));
        }
        return b.build();
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        String key = key(StoragePaths.check(path));
        if (offset < 0) {
            throw new InvalidOffsetException(path, offset);
        }
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> {
                b.bucket(bucket).key(key);
                if (offset > 0) {
                    b.range("bytes=" + offset + "-");
                }
            });
        } catch (S3Exception e) {
            if (e.statusCode() == 416) { // InvalidRange: at or past the end
                long size = head(path, key).contentLength();
                if (offset == size) {
                    return InputStream.nullInputStream();
                }
                throw new InvalidOffsetException(path, offset);
            }
            if (e.statusCode() == 500 && ancestorIsObject(key)) {
                throw notFound(path, e);
            }
            throw mapped(path, "GetObject", e);
        } catch (SdkException e) {
            throw mapped(path, "GetObject", e);
        }
        Long length = in.response().contentLength();
        if (offset > 0 && in.response().contentRange() == null) { // a server that ignored the range
            try {
                in.skipNBytes(offset);
            } catch (IOException e) {
                in.abort();
                throw new InvalidOffsetException(path, offset);
            }
            length = length == null ? null : length - offset;
        }
        return AbortOnEarlyClose.wrap(in, length);
    }

    /** HeadObject; a missing object is {@link PathNotFoundException}. */
    HeadObjectResponse head(String path, String key) throws IOException {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 500 && ancestorIsObject(key)) {
                throw notFound(path, e);
            }
            throw mapped(path, "HeadObject", e);
        } catch (SdkException e) {
            throw mapped(path, "HeadObject", e);
        }
    }

    /**
     * True if a key above {@code key} is an object, so nothing can be stored at {@code key} on a
     * filesystem-backed server. s3proxy's filesystem-nio2 backend answers 500 (the ENOTDIR of
     * its file system) instead of 404 for a key below an object's key; this turns that into the
     * PathNotFoundException it means. Only asked after a 500 (never after a 503 or throttling),
     * so it costs nothing on a healthy AWS. Each probe is a single attempt: when the backend
     * itself is failing, the SDK has already retried the call, and retrying every probe as well
     * would send some 50 requests (and seconds of backoff) to a struggling backend per stat.
     */
    private boolean ancestorIsObject(String key) {
        for (int i = key.lastIndexOf('/'); i > 0 && i >= keyPrefix.length(); i = key.lastIndexOf('/', i - 1)) {
            String ancestor = key.substring(0, i);
            try {
                s3.headObject(b -> b.bucket(bucket).key(ancestor)
                        .overrideConfiguration(o -> o.addPlugin(SINGLE_ATTEMPT)));
                return true;
            } catch (SdkException e) {
                // not an object (or the same failure further up): keep climbing
            }
        }
        return false;
    }

    /** A request-level plugin turning off the SDK's retries for that request. */
    private static final software.amazon.awssdk.core.SdkPlugin SINGLE_ATTEMPT =
            config -> config.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));

    private static PathNotFoundException notFound(String path, Throwable cause) {
        PathNotFoundException p = new PathNotFoundException(path);
        p.initCause(cause);
        return p;
    }

    /** HeadObject, or null when there is no such object. */
    HeadObjectResponse headOrNull(String path, String key) throws IOException {
        try {
            return head(path, key);
        } catch (PathNotFoundException e) {
            return null;
        }
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        String key = key(StoragePaths.check(path));
        return append ? S3Writer.resume(this, path, key) : S3Writer.create(this, path, key);
    }

    int chunkSize() {
        return params.chunkSize();
    }

    // ---- metadata ----

    @Override
    public FileInfo stat(String path) throws IOException {
        String key = key(StoragePaths.check(path));
        HeadObjectResponse head = headOrNull(path, key);
        if (UPLOAD_DATA.matcher(path).matches()) {
            FileInfo inProgress = unfinishedUpload(path, key, head);
            if (inProgress != null) {
                return inProgress;
            }
        }
        if (head != null) {
            return new FileInfo(path, head.contentLength(), head.lastModified(), false);
        }
        ListObjectsV2Response r;
        try {
            // with a delimiter: s3proxy's filesystem backend otherwise walks the whole subtree (a
            // store's root: minutes) to return its first key
            r = s3.listObjectsV2(b -> b.bucket(bucket).prefix(key + "/").delimiter("/").maxKeys(1));
        } catch (SdkException e) {
            throw mapped(path, "ListObjectsV2", e);
        }
        if (!r.contents().isEmpty() || !r.commonPrefixes().isEmpty()) {
            return new FileInfo(path, 0, Instant.EPOCH, true);
        }
        throw new PathNotFoundException(path);
    }

    @Override
    public FileInfo statFile(String path) throws IOException {
        if (UPLOAD_DATA.matcher(path).matches()) {
            return stat(path); // counts the multipart upload in progress
        }
        HeadObjectResponse head = headOrNull(path, key(StoragePaths.check(path)));
        if (head == null) {
            throw new PathNotFoundException(path);
        }
        return new FileInfo(path, head.contentLength(), head.lastModified(), false);
    }

    /**
     * The registry's upload data files ({@code .../_uploads/<id>/data}) are the only files a
     * writer leaves open across requests, and the registry asks their size with stat. S3 keeps
     * the parts of an unfinished multipart upload out of HeadObject, so for these paths stat
     * also looks for the upload in progress, as distribution's writer does on resume.
     */
    static final java.util.regex.Pattern UPLOAD_DATA = java.util.regex.Pattern.compile("^/.*/_uploads/[^/]+/data$");

    /**
     * The file a {@code writer(path, true)} would continue, when that is an upload in progress:
     * the newest one whose parts hold at least the object's bytes (see {@link S3Writer#resume},
     * which aborts the others; stat changes nothing). Null when there is none.
     */
    private FileInfo unfinishedUpload(String path, String key, HeadObjectResponse head) throws IOException {
        long objectSize = head == null ? -1 : head.contentLength();
        List<MultipartUpload> uploads = uploads(path, key, false);
        for (int i = uploads.size() - 1; i >= 0; i--) {
            MultipartUpload u = uploads.get(i);
            List<Part> parts;
            try {
                parts = parts(path, key, u.uploadId());
            } catch (PathNotFoundException e) {
                continue; // NoSuchUpload: finished or aborted since the listing
            } catch (StorageException e) {
                if (e.getCause() instanceof S3Exception s3e && "NoSuchUpload".equals(errorCode(s3e))) {
                    continue;
                }
                throw e;
            }
            long sum = parts.stream().mapToLong(Part::size).sum();
            if (!parts.isEmpty() && sum >= objectSize) {
                Instant modified = parts.stream().map(Part::lastModified).filter(java.util.Objects::nonNull)
                        .max(Comparator.naturalOrder()).orElse(u.initiated() == null ? Instant.EPOCH : u.initiated());
                return new FileInfo(path, sum, modified, false);
            }
        }
        return null;
    }

    @Override
    public List<String> list(String path) throws IOException {
        StoragePaths.checkDir(path);
        String prefix = dirPrefix(path);
        TreeSet<String> children = new TreeSet<>();
        boolean exists = false;
        String token = null;
        try {
            do {
                String t = token;
                ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).delimiter("/")
                        .maxKeys(LIST_MAX).continuationToken(t));
                for (S3Object o : r.contents()) {
                    exists = true;
                    String name = o.key().substring(prefix.length());
                    if (!name.isEmpty()) { // "dir/" itself: a directory marker
                        children.add(pathOf(o.key()));
                    }
                }
                for (CommonPrefix cp : r.commonPrefixes()) {
                    exists = true;
                    String p = cp.prefix();
                    if (p.length() > prefix.length() + 1) { // not "dir//"
                        children.add(pathOf(p.substring(0, p.length() - 1)));
                    }
                }
                token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw mapped(path, "ListObjectsV2", e);
        }
        if (!exists && !"/".equals(path)) {
            throw new PathNotFoundException(path); // S3 has no empty directories
        }
        return new ArrayList<>(children);
    }

    // ---- move / delete ----

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        String src = key(StoragePaths.check(sourcePath));
        String dst = key(StoragePaths.check(destPath));
        long size = head(sourcePath, src).contentLength();
        if (src.equals(dst)) {
            return;
        }
        try {
            if (size <= params.multipartCopyThresholdSize()) {
                s3.copyObject(copyRequest(src, dst));
            } else {
                multipartCopy(sourcePath, src, dst, size);
            }
        } catch (SdkException e) {
            throw mapped(sourcePath, "CopyObject to " + destPath, e);
        }
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(src));
        } catch (SdkException e) {
            throw mapped(sourcePath, "DeleteObject", e);
        }
    }

    private CopyObjectRequest copyRequest(String src, String dst) {
        CopyObjectRequest.Builder b = CopyObjectRequest.builder()
                .sourceBucket(bucket).sourceKey(src)
                .destinationBucket(bucket).destinationKey(dst)
                .contentType("application/octet-stream");
        if (params.encrypt()) {
            b.serverSideEncryption(params.keyId() == null ? ServerSideEncryption.AES256 : ServerSideEncryption.AWS_KMS);
            if (params.keyId() != null) {
                b.ssekmsKeyId(params.keyId());
            }
        }
        if (params.storageClass() != null) {
            b.storageClass(StorageClass.fromValue(params.storageClass()));
        }
        if (params.objectAcl() != null) {
            b.acl(ObjectCannedACL.fromValue(params.objectAcl()));
        }
        return b.build();
    }

    /**
     * Copies {@code src} to {@code dst} with a multipart upload of UploadPartCopy calls,
     * {@code multipartcopychunksize} each, at most {@code multipartcopymaxconcurrency} at once.
     */
    private void multipartCopy(String path, String src, String dst, long size) throws IOException {
        String uploadId = s3.createMultipartUpload(createUploadRequest(dst)).uploadId();
        boolean done = false;
        try {
            long chunk = params.multipartCopyChunkSize();
            int parts = (int) ((size + chunk - 1) / chunk);
            int concurrency = (int) Math.min(params.multipartCopyMaxConcurrency(), parts);
            List<Future<CompletedPart>> futures = new ArrayList<>(parts);
            java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(concurrency);
            for (int i = 0; i < parts; i++) {
                int partNumber = i + 1;
                long first = i * chunk;
                long last = Math.min(first + chunk, size) - 1;
                permits.acquireUninterruptibly();
                futures.add(ioPool.submit(() -> {
                    try {
                        return copyPart(src, dst, uploadId, partNumber, first, last);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<CompletedPart> completed = new ArrayList<>(parts);
            for (Future<CompletedPart> f : futures) {
                completed.add(await(path, f));
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(dst).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(completed)));
            done = true;
        } finally {
            if (!done) {
                abortQuietly(dst, uploadId);
            }
        }
    }

    CompletedPart copyPart(String src, String dst, String uploadId, int partNumber, long first, long last) {
        UploadPartCopyResponse r = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(src)
                .destinationBucket(bucket).destinationKey(dst).uploadId(uploadId).partNumber(partNumber)
                .copySourceRange("bytes=" + first + "-" + last));
        return CompletedPart.builder().partNumber(partNumber).eTag(r.copyPartResult().eTag()).build();
    }

    private static <T> T await(String path, Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while copying " + path);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SdkException se) {
                throw se;
            }
            throw new StorageException(path, "multipart copy of " + path + " failed: " + e.getCause(), e.getCause());
        }
    }

    void abortQuietly(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            // the upload expires with the bucket's lifecycle rule, if any; nothing else to do
        }
    }

    /**
     * Deletes the object at {@code path} and every object under {@code path/}, in batches of
     * up to 1000 keys, and aborts multipart uploads in progress there (writers closed without
     * commit), which would otherwise keep their parts, unseen and billed, forever.
     */
    @Override
    public void delete(String path) throws IOException {
        String key = key(StoragePaths.check(path));
        String prefix = key + "/";
        boolean found = false;
        try {
            List<ObjectIdentifier> batch = new ArrayList<>(LIST_MAX);
            String startAfter = null;
            while (true) {
                String sa = startAfter;
                // StartAfter rather than a continuation token: this listing's keys are being deleted
                ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(LIST_MAX)
                        .startAfter(sa));
                for (S3Object o : r.contents()) {
                    found = true;
                    batch.add(ObjectIdentifier.builder().key(o.key()).build());
                    if (batch.size() == LIST_MAX) {
                        deleteBatch(path, batch);
                    }
                }
                if (r.contents().isEmpty() || !Boolean.TRUE.equals(r.isTruncated())) {
                    break;
                }
                startAfter = r.contents().get(r.contents().size() - 1).key();
            }
            if (found) {
                batch.add(ObjectIdentifier.builder().key(key).build()); // a file of the same name, if any
                deleteBatch(path, batch);
            } else if (headOrNull(path, key) != null) {
                found = true;
                s3.deleteObject(b -> b.bucket(bucket).key(key));
            }
            for (MultipartUpload u : uploads(path, key, true)) {
                found = true; // what a writer closed without commit left there
                abortQuietly(u.key(), u.uploadId());
            }
        } catch (SdkException e) {
            throw mapped(path, "delete", e);
        }
        if (!found) {
            throw new PathNotFoundException(path);
        }
    }

    /**
     * The files' keys in DeleteObjects batches of 1000 (S3 has no directories to remove, and
     * deleting an absent key succeeds). Objects beside a layout file, which the layout never
     * writes, stay; verify reports them as stray.
     */
    @Override
    public void deleteEntries(List<String> files) throws IOException {
        List<ObjectIdentifier> batch = new ArrayList<>(LIST_MAX);
        try {
            for (String f : files) {
                batch.add(ObjectIdentifier.builder().key(key(StoragePaths.check(f))).build());
                if (batch.size() == LIST_MAX) {
                    deleteBatch("/", batch);
                }
            }
            deleteBatch("/", batch);
        } catch (SdkException e) {
            throw mapped("/", "DeleteObjects", e);
        }
    }

    private void deleteBatch(String path, List<ObjectIdentifier> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        List<ObjectIdentifier> keys = List.copyOf(batch);
        batch.clear();
        if (!bulkDelete) {
            deleteEach(path, keys);
            return;
        }
        boolean md5Only = md5OnlyChecksums;
        if (deletedInBulk(path, keys)) {
            return;
        }
        if (!md5Only) {
            // s3proxy 2.6 refuses the x-amz-checksum-crc32 header the SDK (2.30+) sends with
            // DeleteObjects ("501 NotImplemented: A header you provided implies functionality that
            // is not implemented") and takes the Content-MD5 that older SDKs sent
            md5OnlyChecksums = true;
            if (deletedInBulk(path, keys)) {
                return;
            }
        }
        // no DeleteObjects at all: one DeleteObject per key, in parallel, from now on
        bulkDelete = false;
        deleteEach(path, keys);
    }

    /** One DeleteObjects call; false if the server answered 501 Not Implemented. */
    private boolean deletedInBulk(String path, List<ObjectIdentifier> keys) throws StorageException {
        DeleteObjectsResponse r;
        try {
            r = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(keys).quiet(true)));
        } catch (S3Exception e) {
            if (e.statusCode() == 501) {
                return false;
            }
            throw e;
        }
        if (r.hasErrors() && !r.errors().isEmpty()) {
            var first = r.errors().get(0);
            throw new StorageException(path, "s3 DeleteObjects under " + path + ": " + r.errors().size()
                    + " keys not deleted, e.g. " + first.key() + ": " + first.code() + " " + first.message());
        }
        return true;
    }

    /** False once the server refused DeleteObjects outright (tests). */
    boolean deletesInBulk() {
        return bulkDelete;
    }

    /** DeleteObject for each key, up to 16 at once: the fallback for servers without DeleteObjects. */
    private void deleteEach(String path, List<ObjectIdentifier> keys) throws IOException {
        int parallel = Math.min(16, keys.size());
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(parallel);
        List<Future<?>> futures = new ArrayList<>(keys.size());
        for (ObjectIdentifier id : keys) {
            permits.acquireUninterruptibly();
            futures.add(ioPool.submit(() -> {
                try {
                    s3.deleteObject(b -> b.bucket(bucket).key(id.key()));
                } finally {
                    permits.release();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            await(path, f);
        }
    }

    /**
     * The multipart uploads in progress for {@code key} (exactly), or with {@code under} also
     * those for keys below {@code key/}, oldest first.
     */
    List<MultipartUpload> uploads(String path, String key, boolean under) throws IOException {
        List<MultipartUpload> found = new ArrayList<>();
        String keyMarker = null;
        String uploadIdMarker = null;
        try {
            while (true) {
                String km = keyMarker;
                String um = uploadIdMarker;
                ListMultipartUploadsResponse r = s3.listMultipartUploads(b -> b.bucket(bucket).prefix(key)
                        .keyMarker(km).uploadIdMarker(um));
                for (MultipartUpload u : r.uploads()) {
                    if (u.key().equals(key) || (under && u.key().startsWith(key + "/"))) {
                        found.add(u);
                    }
                }
                if (!Boolean.TRUE.equals(r.isTruncated()) || r.uploads().isEmpty()) {
                    break;
                }
                keyMarker = r.nextKeyMarker();
                uploadIdMarker = r.nextUploadIdMarker();
            }
        } catch (SdkException e) {
            throw mapped(path, "ListMultipartUploads", e);
        }
        found.sort(Comparator.comparing(MultipartUpload::initiated, Comparator.nullsFirst(Comparator.naturalOrder())));
        return found;
    }

    /** The parts of an upload in progress, by part number. */
    List<Part> parts(String path, String key, String uploadId) throws IOException {
        List<Part> parts = new ArrayList<>();
        Integer marker = null;
        try {
            while (true) {
                Integer m = marker;
                ListPartsResponse r = s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .partNumberMarker(m));
                parts.addAll(r.parts());
                if (!Boolean.TRUE.equals(r.isTruncated()) || r.parts().isEmpty()) {
                    break;
                }
                marker = r.nextPartNumberMarker();
            }
        } catch (SdkException e) {
            throw mapped(path, "ListParts", e);
        }
        parts.sort(Comparator.comparing(Part::partNumber));
        return parts;
    }

    /** True: one ListObjectsV2 per 1000 keys; a stat is a HeadObject each. */
    @Override
    public boolean walksCheaply() {
        return true;
    }

    // ---- walk ----

    /**
     * Walks with a flat listing (no delimiter): one request per 1000 keys however deep the tree,
     * reordered into the SPI's depth-first lexical order by {@link LexicalWalk}.
     */
    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        StoragePaths.checkDir(path);
        String prefix = dirPrefix(path);
        LexicalWalk walk = new LexicalWalk(prefix, path, visitor);
        String token = null;
        try {
            do {
                String t = token;
                ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(LIST_MAX)
                        .continuationToken(t));
                for (S3Object o : r.contents()) {
                    walk.accept(o.key(), o.size(), o.lastModified(), FileInfo.md5OfEtag(o.eTag()));
                    if (walk.stopped()) {
                        return;
                    }
                }
                token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw mapped(path, "ListObjectsV2", e);
        }
        if (!walk.sawKeys() && !"/".equals(path)) {
            throw new PathNotFoundException(path);
        }
        walk.finish();
    }

    // ---- redirect ----

    /** A presigned GET (or HEAD) URL valid for {@code expiry}; other methods cannot be redirected. */
    @Override
    public Optional<String> redirectUrl(String path, String method, Duration expiry) throws IOException {
        String key = key(StoragePaths.check(path));
        try {
            return switch (method) {
                case "GET" -> Optional.of(presigner.presignGetObject(p -> p.signatureDuration(expiry)
                        .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toString());
                case "HEAD" -> Optional.of(presigner.presignHeadObject(p -> p.signatureDuration(expiry)
                        .headObjectRequest(h -> h.bucket(bucket).key(key))).url().toString());
                default -> Optional.empty();
            };
        } catch (SdkException e) {
            throw mapped(path, "presign", e);
        }
    }

    @Override
    public void close() {
        ioPool.shutdownNow();
        presigner.close();
        s3.close();
        httpClient.close();
    }

    @Override
    public String toString() {
        return "s3(" + bucket + (keyPrefix.isEmpty() ? "" : "/" + keyPrefix) + ")";
    }

    // ---- errors ----

    /** NoSuchKey and other 404s on objects are PathNotFoundException; the rest, StorageException. */
    IOException mapped(String path, String operation, SdkException e) {
        if (e instanceof NoSuchBucketException || (e instanceof AwsServiceException ase
                && "NoSuchBucket".equals(errorCode(ase)))) {
            return new StorageException(path, "storage.s3.bucket: bucket " + bucket + " does not exist ("
                    + operation + " " + path + ")", e);
        }
        if (e instanceof NoSuchKeyException || (e instanceof S3Exception s && s.statusCode() == 404
                && !"NoSuchUpload".equals(errorCode(s)))) {
            PathNotFoundException p = new PathNotFoundException(path);
            p.initCause(e);
            return p;
        }
        return new StorageException(path, "s3 " + operation + " " + path + ": " + describe(e), e);
    }

    static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    static String describe(SdkException e) {
        if (e instanceof AwsServiceException ase) {
            String code = errorCode(ase);
            return ase.statusCode() + (code == null ? "" : " " + code) + ": " + ase.getMessage();
        }
        return e.getMessage();
    }
}

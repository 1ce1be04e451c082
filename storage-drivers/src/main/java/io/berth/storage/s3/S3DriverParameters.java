package io.berth.storage.s3;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.regions.Region;

/**
 * The {@code storage.s3} parameters of config.yml, with distribution's s3-aws keys, defaults and
 * bounds. Every problem is reported as an {@link IllegalArgumentException} whose message starts
 * with {@code storage.s3.<key>:}, so the operator knows which line of the config to fix.
 *
 * @param accessKey                   static credentials; null: the SDK's default credential chain
 * @param secretKey                   paired with {@code accessKey}
 * @param sessionToken                optional session token for the static credentials
 * @param bucket                      the bucket (required)
 * @param region                      the region; required unless {@code regionEndpoint} is set
 * @param regionEndpoint              an S3-compatible endpoint (MinIO, Ceph, ...), or null for AWS
 * @param forcePathStyle              path-style addressing; defaults to true when {@code regionEndpoint} is set
 * @param encrypt                     server-side encryption (SSE-S3, or SSE-KMS with {@code keyId})
 * @param keyId                       KMS key for SSE-KMS, or null
 * @param secure                      https (true) or http to the endpoint
 * @param skipVerify                  trust any TLS certificate
 * @param chunkSize                   multipart upload part size: 5 MiB .. 5 GiB, default 10 MiB
 * @param multipartCopyChunkSize      part size of a multipart copy: 5 MiB .. 5 GiB, default 32 MiB
 * @param multipartCopyMaxConcurrency parallel UploadPartCopy calls of one move, default 100
 * @param multipartCopyThresholdSize  objects above this size are moved with a multipart copy, default 32 MiB
 * @param rootDirectory               a key prefix under which the registry tree lives, "" for none
 * @param storageClass                storage class of new objects, null for none ({@code NONE})
 * @param userAgent                   appended to the SDK's user agent, or null
 * @param objectAcl                   canned ACL sent with new objects, or null (the bucket's default)
 * @param useDualStack                dual-stack (IPv6) AWS endpoints
 * @param accelerate                  S3 transfer acceleration
 * @param useFipsEndpoint             FIPS AWS endpoints
 * @param logLevel                    accepted for compatibility; the SDK logs through SLF4J
 */
public record S3DriverParameters(
        String accessKey,
        String secretKey,
        String sessionToken,
        String bucket,
        String region,
        String regionEndpoint,
        boolean forcePathStyle,
        boolean encrypt,
        String keyId,
        boolean secure,
        boolean skipVerify,
        int chunkSize,
        long multipartCopyChunkSize,
        long multipartCopyMaxConcurrency,
        long multipartCopyThresholdSize,
        String rootDirectory,
        String storageClass,
        String userAgent,
        String objectAcl,
        boolean useDualStack,
        boolean accelerate,
        boolean useFipsEndpoint,
        String logLevel) {

    public static final int MIN_CHUNK_SIZE = 5 * 1024 * 1024;
    public static final long MAX_CHUNK_SIZE = 5L * 1024 * 1024 * 1024;
    public static final int DEFAULT_CHUNK_SIZE = 2 * MIN_CHUNK_SIZE;
    public static final long DEFAULT_MULTIPART_COPY_CHUNK_SIZE = 32L * 1024 * 1024;
    public static final long DEFAULT_MULTIPART_COPY_MAX_CONCURRENCY = 100;
    public static final long DEFAULT_MULTIPART_COPY_THRESHOLD_SIZE = 32L * 1024 * 1024;

    /** The keys distribution's s3-aws driver reads (plus its older {@code sessiontoken}). */
    public static final Set<String> KEYS = Set.of("accesskey", "secretkey", "sessiontoken", "bucket", "region",
            "regionendpoint", "forcepathstyle", "encrypt", "keyid", "secure", "skipverify", "v4auth", "chunksize",
            "multipartcopychunksize", "multipartcopymaxconcurrency", "multipartcopythresholdsize", "rootdirectory",
            "storageclass", "useragent", "objectacl", "usedualstack", "accelerate", "usefipsendpoint", "loglevel");

    /** distribution's instant-retrieval storage classes; NONE sends no storage class at all. */
    public static final List<String> STORAGE_CLASSES = List.of("NONE", "STANDARD", "REDUCED_REDUNDANCY",
            "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "OUTPOSTS", "GLACIER_IR", "EXPRESS_ONEZONE");

    public static final List<String> OBJECT_ACLS = List.of("private", "public-read", "public-read-write",
            "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control");

    private static final Set<String> LOG_LEVELS = Set.of("off", "debug", "debugwithsigning", "debugwithhttpbody",
            "debugwithrequestretries", "debugwithrequesterrors", "debugwitheventstreambody");

    public S3DriverParameters {
        if (bucket == null || bucket.isEmpty()) {
            throw bad("bucket", "missing; the name of the bucket is required");
        }
        if (region == null || region.isEmpty()) {
            throw bad("region", "missing; required unless regionendpoint is set");
        }
        rootDirectory = rootDirectory == null ? "" : rootDirectory;
    }

    /** Parses config.yml's {@code storage.s3} map (values as YAML gives them: strings, numbers, booleans). */
    public static S3DriverParameters from(Map<String, Object> parameters) {
        Map<String, Object> p = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : parameters.entrySet()) {
            String key = e.getKey();
            if (!KEYS.contains(key)) {
                throw bad(key, "unknown parameter");
            }
            if (e.getValue() != null) {
                p.put(key, e.getValue());
            }
        }

        String accessKey = string(p, "accesskey");
        String secretKey = string(p, "secretkey");
        if ((accessKey == null) != (secretKey == null)) {
            throw accessKey == null ? bad("accesskey", "missing; secretkey is set, so accesskey must be too")
                    : bad("secretkey", "missing; accesskey is set, so secretkey must be too");
        }
        String regionEndpoint = string(p, "regionendpoint");
        String region = string(p, "region");
        if (regionEndpoint == null) {
            if (region == null) {
                throw bad("region", "missing; required unless regionendpoint is set");
            }
            if (!Region.regions().contains(Region.of(region))) {
                throw bad("region", "unknown region " + region);
            }
        } else {
            checkEndpoint(regionEndpoint);
            if (region == null) {
                region = "us-east-1"; // S3-compatible servers ignore it, but SigV4 needs one
            }
        }
        String bucket = string(p, "bucket");
        if (bucket == null) {
            throw bad("bucket", "missing; the name of the bucket is required");
        }

        boolean secure = bool(p, "secure", true);
        if (!bool(p, "v4auth", true) && (regionEndpoint == null || regionEndpoint.contains("s3.amazonaws.com"))) {
            throw bad("v4auth", "on Amazon S3 only v4 authentication can be used");
        }
        // path-style addressing is what S3-compatible endpoints need; an explicit false still wins
        boolean forcePathStyle = bool(p, "forcepathstyle", regionEndpoint != null);

        String storageClass = "STANDARD";
        Object sc = p.get("storageclass");
        if (sc != null) {
            if (!(sc instanceof String s) || !STORAGE_CLASSES.contains(s.toUpperCase(Locale.ROOT))) {
                throw bad("storageclass", "must be one of " + STORAGE_CLASSES + ", not " + sc);
            }
            storageClass = ((String) sc).toUpperCase(Locale.ROOT);
        }
        String objectAcl = null;
        Object acl = p.get("objectacl");
        if (acl != null) {
            if (!(acl instanceof String s) || !OBJECT_ACLS.contains(s)) {
                throw bad("objectacl", "must be one of " + OBJECT_ACLS + ", not " + acl);
            }
            objectAcl = (String) acl;
        }
        String logLevel = "off";
        Object ll = p.get("loglevel");
        if (ll instanceof String s) {
            if (!LOG_LEVELS.contains(s.toLowerCase(Locale.ROOT))) {
                throw bad("loglevel", "must be one of " + LOG_LEVELS + ", not " + s);
            }
            logLevel = s.toLowerCase(Locale.ROOT);
        } else if (ll != null && !Boolean.FALSE.equals(ll)) { // YAML 1.1 reads "off" as false
            throw bad("loglevel", "must be one of " + LOG_LEVELS + ", not " + ll);
        }

        return new S3DriverParameters(
                accessKey,
                secretKey,
                string(p, "sessiontoken"),
                bucket,
                region,
                regionEndpoint,
                forcePathStyle,
                bool(p, "encrypt", false),
                string(p, "keyid"),
                secure,
                bool(p, "skipverify", false),
                (int) integer(p, "chunksize", DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE, Integer.MAX_VALUE - 8),
                integer(p, "multipartcopychunksize", DEFAULT_MULTIPART_COPY_CHUNK_SIZE, MIN_CHUNK_SIZE, MAX_CHUNK_SIZE),
                integer(p, "multipartcopymaxconcurrency", DEFAULT_MULTIPART_COPY_MAX_CONCURRENCY, 1, Long.MAX_VALUE),
                integer(p, "multipartcopythresholdsize", DEFAULT_MULTIPART_COPY_THRESHOLD_SIZE, 0, MAX_CHUNK_SIZE),
                rootDirectory(p),
                "NONE".equals(storageClass) ? null : storageClass,
                string(p, "useragent"),
                objectAcl,
                bool(p, "usedualstack", false),
                bool(p, "accelerate", false),
                bool(p, "usefipsendpoint", false),
                logLevel);
    }

    /** The endpoint as a URI: {@code regionendpoint} as given, with a scheme from {@code secure} if it has none. */
    public URI endpointUri() {
        if (regionEndpoint == null) {
            return null;
        }
        return URI.create(regionEndpoint.contains("://") ? regionEndpoint
                : (secure ? "https://" : "http://") + regionEndpoint);
    }

    /** The key prefix of every stored path: distribution's {@code s3Path("/")}, "" or {@code "root/"}. */
    public String keyPrefix() {
        return S3Driver.s3Path(rootDirectory, "/");
    }

    @Override
    public String toString() { // never print the secret
        return "S3DriverParameters[bucket=" + bucket + ", region=" + region + ", regionendpoint=" + regionEndpoint
                + ", rootdirectory=" + rootDirectory + ", accesskey=" + (accessKey == null ? "(default chain)" : accessKey)
                + ", chunksize=" + chunkSize + "]";
    }

    private static void checkEndpoint(String endpoint) {
        try {
            URI uri = URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw bad("regionendpoint", "not an http(s) URL: " + endpoint);
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("storage.s3.")) {
                throw e;
            }
            throw bad("regionendpoint", "not a URL: " + endpoint);
        }
    }

    private static String rootDirectory(Map<String, Object> p) {
        String root = string(p, "rootdirectory");
        if (root == null) {
            return "";
        }
        String trimmed = root.replaceAll("^/+|/+$", "");
        if (!trimmed.isEmpty() && !io.berth.core.storage.StoragePaths.PATTERN.matcher("/" + trimmed).matches()) {
            throw bad("rootdirectory", "must be a slash-separated path of [A-Za-z0-9._-] segments, not " + root);
        }
        return root;
    }

    private static String string(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof Iterable) {
            throw bad(key, "must be a string, not " + v);
        }
        String s = v.toString();
        return s.isEmpty() ? null : s;
    }

    /** Booleans as distribution takes them: YAML booleans or strconv.ParseBool strings. */
    private static boolean bool(Map<String, Object> p, String key, boolean dflt) {
        Object v = p.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            switch (s) {
                case "1", "t", "T", "TRUE", "true", "True":
                    return true;
                case "0", "f", "F", "FALSE", "false", "False":
                    return false;
                default:
                    break;
            }
        }
        throw bad(key, "must be a boolean, not " + v);
    }

    private static long integer(Map<String, Object> p, String key, long dflt, long min, long max) {
        Object v = p.get(key);
        long n;
        if (v == null) {
            n = dflt;
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
                && Math.abs(num.doubleValue()) < 9e18) {
            n = num.longValue();
        } else if (v instanceof String s) {
            try {
                n = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw bad(key, "must be an integer, not " + s);
            }
        } else {
            throw bad(key, "must be an integer, not " + v);
        }
        if (n < min || n > max) {
            throw bad(key, n + " is out of range; must be between " + min + " and " + max + " (inclusive)");
        }
        return n;
    }

    static IllegalArgumentException bad(String key, String message) {
        return new IllegalArgumentException("storage.s3." + key + ": " + message);
    }
}

package io.berth.server.storage;

import io.berth.core.storage.StorageDriver;
import io.berth.server.config.ConfigException;
import io.berth.server.config.RegistryConfig;
import io.berth.storage.azure.AzureDriver;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.s3.S3Driver;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where gc, verify and migrate find a store: distribution's {@code config.yml} (the same file
 * {@code berth serve} reads) or a storage URL for a quick run from a shell:
 *
 * <pre>
 * file:///srv/registry                         filesystem, rootdirectory /srv/registry
 * s3://bucket/prefix?region=us-east-1&amp;endpoint=http://127.0.0.1:9090&amp;forcepathstyle=true
 * azure://account/container/prefix?accountkey=...&amp;serviceurl=http://127.0.0.1:10000/account
 * </pre>
 *
 * A URL's query parameters are the driver's config.yml keys ({@code endpoint} is accepted for
 * {@code regionendpoint}); credentials not given fall back to the SDKs' default chains (and
 * {@code AZURE_STORAGE_KEY} for Azure).
 */
public record StorageLocation(String description, StorageDriver driver) {

    /** Opens the store {@code arg} names and checks that it can be reached. */
    public static StorageLocation open(String arg) {
        StorageDriver driver;
        String description;
        if (arg.startsWith("file:") || arg.startsWith("s3:") || arg.startsWith("azure:")) {
            URI uri;
            try {
                uri = new URI(arg);
            } catch (URISyntaxException e) {
                throw new ConfigException("storage URL " + arg + ": " + e.getMessage());
            }
            driver = fromUrl(uri);
            description = uri.getScheme() + "://" + (uri.getAuthority() == null ? "" : uri.getAuthority())
                    + (uri.getPath() == null ? "" : uri.getPath());
        } else {
            Path file = Path.of(arg);
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(arg + ": neither a config file nor a storage URL (file://, s3://, azure://)");
            }
            RegistryConfig cfg = RegistryConfig.load(file, System.getenv());
            driver = Drivers.fromConfig(cfg);
            description = cfg.storageDriver() + " from " + arg;
        }
        Drivers.checkAccess(driver);
        return new StorageLocation(description, driver);
    }

    private static StorageDriver fromUrl(URI uri) {
        Map<String, Object> params = query(uri);
        String path = uri.getPath() == null ? "" : uri.getPath();
        try {
            switch (uri.getScheme()) {
                case "file": {
                    if (path.isEmpty()) {
                        throw new ConfigException("file URL " + uri + " has no path");
                    }
                    return new FilesystemDriver(Path.of(path).toAbsolutePath());
                }
                case "s3": {
                    if (uri.getHost() == null) {
                        throw new ConfigException("s3 URL " + uri + " names no bucket (s3://bucket/prefix)");
                    }
                    params.put("bucket", uri.getHost());
                    if (params.containsKey("endpoint")) {
                        params.put("regionendpoint", params.remove("endpoint"));
                    }
                    params.putIfAbsent("region", System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
                    if (!path.isEmpty() && !path.equals("/")) {
                        params.put("rootdirectory", path);
                    }
                    return S3Driver.fromParameters(params);
                }
                case "azure": {
                    String[] parts = path.replaceFirst("^/", "").split("/", 2);
                    if (uri.getHost() == null || parts[0].isEmpty()) {
                        throw new ConfigException("azure URL " + uri + " must be azure://account/container[/prefix]");
                    }
                    params.put("accountname", uri.getHost());
                    params.put("container", parts[0]);
                    if (parts.length > 1 && !parts[1].isEmpty()) {
                        params.put("rootdirectory", "/" + parts[1]);
                    }
                    String key = System.getenv("AZURE_STORAGE_KEY");
                    if (!params.containsKey("accountkey") && key != null && !params.containsKey("credentials")) {
                        params.put("accountkey", key);
                    }
                    return AzureDriver.fromParameters(params);
                }
                default:
                    throw new ConfigException("unknown storage URL scheme " + uri.getScheme());
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static Map<String, Object> query(URI uri) {
        Map<String, Object> out = new LinkedHashMap<>();
        String q = uri.getRawQuery();
        if (q == null || q.isEmpty()) {
            return out;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }
}

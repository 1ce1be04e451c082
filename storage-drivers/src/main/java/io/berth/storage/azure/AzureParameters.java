package io.berth.storage.azure;

import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code storage.azure} section of config.yml, with distribution's keys and defaults
 * (registry/storage/driver/azure/parser.go). Every problem is an {@link IllegalArgumentException}
 * whose message starts with the full key, e.g. {@code storage.azure.container: missing}.
 */
public record AzureParameters(
        String accountName,
        String accountKey,
        String container,
        String realm,
        String serviceUrl,
        String rootDirectory,
        CredentialsType credentialsType,
        String clientId,
        String tenantId,
        String secret,
        int maxRetries,
        Duration retryDelay,
        boolean skipVerify) {

    /** How the driver authenticates, as distribution's {@code credentials.type}. */
    public enum CredentialsType {
        SHARED_KEY("shared_key"), CLIENT_SECRET("client_secret"), DEFAULT_CREDENTIALS("default_credentials");

        final String configName;

        CredentialsType(String configName) {
            this.configName = configName;
        }
    }

    static final String PREFIX = "storage.azure.";
    static final String DEFAULT_REALM = "core.windows.net";
    /** distribution's defaultMaxRetries and defaultRetryDelay, for copy-status polling. */
    static final int DEFAULT_MAX_RETRIES = 5;
    static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(100);

    private static final Set<String> KEYS = Set.of("accountname", "accountkey", "container", "realm", "serviceurl",
            "rootdirectory", "credentials", "connectionstring", "max_retries", "retry_delay",
            // the names distribution used for max_retries and retry_delay before v3.0
            "copy_status_poll_max_retry", "copy_status_poll_delay", "skipverify");
    private static final Set<String> CREDENTIAL_KEYS = Set.of("type", "clientid", "tenantid", "secret");
    /** Azure's container naming rules; {@code $root} is the account's root container. */
    private static final Pattern CONTAINER = Pattern.compile("^(\\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$");

    public AzureParameters {
        if (rootDirectory == null) {
            rootDirectory = "";
        }
    }

    /** Parses and checks the parameters map as config.yml (or REGISTRY_STORAGE_AZURE_* variables) gives it. */
    public static AzureParameters parse(Map<String, ?> parameters) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (parameters != null) {
            parameters.forEach((k, v) -> p.put(String.valueOf(k).toLowerCase(Locale.ROOT), v));
        }
        for (String key : p.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(PREFIX + key + ": unknown parameter");
            }
        }
        String accountName = string(p, "accountname");
        String accountKey = string(p, "accountkey");
        String container = string(p, "container");
        String connectionString = string(p, "connectionstring");
        // distribution parses connectionstring but never uses it; we take its key and endpoint when they are not set
        Map<String, String> cs = connectionString == null ? Map.of() : parseConnectionString(connectionString);
        if (accountKey == null && cs.containsKey("accountkey")) {
            accountKey = cs.get("accountkey");
        }
        if (accountName == null) {
            accountName = cs.get("accountname");
        }
        if (accountName == null) {
            throw new IllegalArgumentException(PREFIX + "accountname: missing; the storage account's name is required");
        }
        if (container == null) {
            throw new IllegalArgumentException(PREFIX + "container: missing; the container that holds the registry is required");
        }
        if (!CONTAINER.matcher(container).matches()) {
            throw new IllegalArgumentException(PREFIX + "container: invalid container name \"" + container
                    + "\" (3-63 lowercase letters, digits and single hyphens, starting with a letter or digit)");
        }
        if (accountKey != null) {
            try {
                Base64.getDecoder().decode(accountKey);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + "accountkey: not a base64 storage account key");
            }
        }
        String realm = string(p, "realm");
        if (realm == null) {
            realm = DEFAULT_REALM;
        }
        String serviceUrl = string(p, "serviceurl");
        if (serviceUrl == null && cs.containsKey("blobendpoint")) {
            serviceUrl = cs.get("blobendpoint");
        }
        if (serviceUrl == null) {
            serviceUrl = "https://" + accountName + ".blob." + realm;
        } else if (!serviceUrl.startsWith("https://") && !serviceUrl.startsWith("http://")) {
            throw new IllegalArgumentException(PREFIX + "serviceurl: not an http(s) URL: " + serviceUrl);
        }
        while (serviceUrl.endsWith("/")) {
            serviceUrl = serviceUrl.substring(0, serviceUrl.length() - 1);
        }
        String rootDirectory = string(p, "rootdirectory");
        rootDirectory = rootDirectory == null ? "" : trimSlashes(rootDirectory);

        // credentials: distribution requires credentials.type; like its docs we let an accountkey imply shared_key
        Map<String, Object> creds = credentials(p.get("credentials"));
        String typeName = string(creds, "type", PREFIX + "credentials.");
        CredentialsType type;
        if (typeName == null) {
            if (accountKey == null) {
                throw new IllegalArgumentException(PREFIX + "accountkey: missing; set it for shared_key authentication,"
                        + " or set storage.azure.credentials.type to client_secret or default_credentials");
            }
            type = CredentialsType.SHARED_KEY;
        } else {
            type = switch (typeName.toLowerCase(Locale.ROOT)) {
                case "shared_key" -> CredentialsType.SHARED_KEY;
                case "client_secret" -> CredentialsType.CLIENT_SECRET;
                case "default_credentials", "default" -> CredentialsType.DEFAULT_CREDENTIALS;
                default -> throw new IllegalArgumentException(PREFIX + "credentials.type: unknown type \"" + typeName
                        + "\" (shared_key, client_secret, default_credentials)");
            };
        }
        String clientId = string(creds, "clientid", PREFIX + "credentials.");
        String tenantId = string(creds, "tenantid", PREFIX + "credentials.");
        String secret = string(creds, "secret", PREFIX + "credentials.");
        if (type == CredentialsType.SHARED_KEY && accountKey == null) {
            throw new IllegalArgumentException(PREFIX + "accountkey: missing; required with credentials.type shared_key");
        }
        if (type == CredentialsType.CLIENT_SECRET) {
            for (var e : new String[][] {{"clientid", clientId}, {"tenantid", tenantId}, {"secret", secret}}) {
                if (e[1] == null) {
                    throw new IllegalArgumentException(PREFIX + "credentials." + e[0]
                            + ": missing; required with credentials.type client_secret");
                }
            }
        }

        if (type != CredentialsType.SHARED_KEY && !serviceUrl.startsWith("https://")) {
            throw new IllegalArgumentException(PREFIX + "serviceurl: credentials.type " + type.configName
                    + " sends bearer tokens, which need an https URL, not " + serviceUrl);
        }

        int maxRetries = DEFAULT_MAX_RETRIES;
        Duration retryDelay = DEFAULT_RETRY_DELAY;
        for (String key : List.of("copy_status_poll_max_retry", "max_retries")) { // the current name wins
            Integer n = integer(p, key);
            if (n != null && n != 0) { // distribution treats 0 as unset
                if (n < -1) {
                    throw new IllegalArgumentException(PREFIX + key + ": must be -1 (do not wait) or positive, not " + n);
                }
                maxRetries = n;
            }
        }
        for (String key : List.of("copy_status_poll_delay", "retry_delay")) {
            String d = string(p, key);
            if (d != null) {
                retryDelay = parseGoDuration(PREFIX + key, d);
            }
        }
        Boolean skip = bool(p, "skipverify");
        return new AzureParameters(accountName, accountKey, container, realm, serviceUrl, rootDirectory, type,
                clientId, tenantId, secret, maxRetries, retryDelay, skip != null && skip);
    }

    /** The account key must not end up in logs. */
    @Override
    public String toString() {
        return "azure(account=" + accountName + ", container=" + container + ", serviceurl=" + serviceUrl
                + ", rootdirectory=" + rootDirectory + ", credentials=" + credentialsType.configName + ")";
    }

    static String trimSlashes(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == '/') {
            b++;
        }
        while (e > b && s.charAt(e - 1) == '/') {
            e--;
        }
        return s.substring(b, e);
    }

    /** "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k;BlobEndpoint=..." with lower-cased names. */
    private static Map<String, String> parseConnectionString(String cs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : cs.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
            } else if (!part.isBlank()) {
                throw new IllegalArgumentException(PREFIX + "connectionstring: expected Name=value pairs separated by ';'");
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> credentials(Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value == null || (value instanceof String s && s.isBlank())) {
            return out;
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(PREFIX + "credentials: expected a map with type, clientid, tenantid, secret");
        }
        for (var e : ((Map<Object, Object>) m).entrySet()) {
            String key = String.valueOf(e.getKey()).toLowerCase(Locale.ROOT);
            if (!CREDENTIAL_KEYS.contains(key)) {
                throw new IllegalArgumentException(PREFIX + "credentials." + key + ": unknown parameter");
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    private static String string(Map<String, Object> p, String key) {
        return string(p, key, PREFIX);
    }

    private static String string(Map<String, Object> p, String key, String prefix) {
        Object v = p.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(prefix + key + ": expected a single value");
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? null : s;
    }

    private static Integer integer(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            long l = ((Number) v).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        String s = string(p, key);
        try {
            return s == null ? null : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + ": not an integer: " + v);
        }
    }

    private static Boolean bool(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true" -> true;
            case "false", "" -> false;
            default -> throw new IllegalArgumentException(PREFIX + key + ": not a boolean: " + v);
        };
    }

    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    /** Go's time.ParseDuration for non-negative values: "100ms", "1.5s", "1h30m", or "0". */
    static Duration parseGoDuration(String key, String s) {
        String t = s.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = GO_DURATION_PART.matcher(t);
        double nanos = 0;
        int pos = 0;
        while (pos < t.length() && m.find(pos) && m.start() == pos) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs", "μs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (t.isEmpty() || pos != t.length()) {
            throw new IllegalArgumentException(key + ": invalid duration \"" + s + "\" (use e.g. 100ms, 1s, 2m)");
        }
        return Duration.ofNanos((long) nanos);
    }
}

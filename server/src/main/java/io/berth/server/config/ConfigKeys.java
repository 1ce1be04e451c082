package io.berth.server.config;

import java.util.List;
import java.util.Set;

/**
 * Every key distribution's config.yml may hold, so a drop-in config is read without complaint,
 * and which of them Berth does not act on yet. A key not listed here is a typo and stops start-up.
 * {@code .*} marks a subtree whose keys are free (driver parameters, headers, ...).
 */
final class ConfigKeys {
    static final List<String> KNOWN = List.of(
            "version", "loglevel",
            "log.level", "log.formatter", "log.fields.*", "log.hooks.*", "log.accesslog.disabled", "log.reportcaller",
            "storage.filesystem.rootdirectory", "storage.filesystem.maxthreads",
            "storage.inmemory.*",
            "storage.s3.*", "storage.azure.*", "storage.gcs.*", "storage.swift.*", "storage.oss.*",
            "storage.delete.enabled",
            "storage.maintenance.uploadpurging.enabled", "storage.maintenance.uploadpurging.age",
            "storage.maintenance.uploadpurging.interval", "storage.maintenance.uploadpurging.dryrun",
            "storage.maintenance.readonly.enabled",
            "storage.cache.blobdescriptor", "storage.cache.blobdescriptorsize",
            "storage.redirect.disable", "storage.tag.concurrencylimit",
            "http.addr", "http.net", "http.prefix", "http.host", "http.secret", "http.relativeurls",
            "http.draintimeout", "http.headers.*",
            "http.debug.addr", "http.debug.prometheus.enabled", "http.debug.prometheus.path", "http.http2.*", "http.h2c.*", "http.tls.*",
            "auth.*", "redis.*",
            "notifications.endpoints", "notifications.events.includereferences",
            "health.storagedriver.enabled", "health.storagedriver.interval", "health.storagedriver.threshold",
            "health.file", "health.http", "health.tcp", "proxy.*", "validation.enabled", "validation.disabled",
            "validation.manifests.urls.allow", "validation.manifests.urls.deny", "validation.manifests.indexes.*",
            "compatibility.*",
            "reporting.*", "middleware.*", "policy.*", "catalog.maxentries", "tags.maxtags");

    /** Known to distribution, but refusing them is safer than ignoring them (serving open or in clear). */
    static final Set<String> REFUSED = Set.of("proxy", "middleware", "storage.gcs",
            "storage.swift", "storage.oss");

    /** Known, not acted on, harmless to ignore: a warning is logged. */
    static final Set<String> IGNORED = Set.of("redis", "compatibility", "validation.manifests.indexes",
            "reporting", "policy", "http.h2c", "log.hooks",
            "log.reportcaller", "http.secret", "http.net",
            "storage.tag", "storage.filesystem.maxthreads", "catalog", "tags");

    private ConfigKeys() {
    }

    static boolean isKnown(String dotted) {
        for (String k : KNOWN) {
            if (k.equals(dotted)) {
                return true;
            }
            if (k.endsWith(".*")) {
                String prefix = k.substring(0, k.length() - 2);
                if (dotted.equals(prefix) || dotted.startsWith(prefix + ".")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a key is an inner node of the known tree (such as {@code storage.maintenance}). */
    static boolean isBranch(String dotted) {
        for (String k : KNOWN) {
            if (k.startsWith(dotted + ".")) {
                return true;
            }
        }
        return false;
    }
}

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
            "http.draintimeout", "http.headers.*", "http.debug.*", "http.http2.*", "http.h2c.*", "http.tls.*",
            "auth.*", "notifications.*", "redis.*", "health.*", "proxy.*", "validation.*", "compatibility.*",
            "reporting.*", "middleware.*", "policy.*", "catalog.maxentries", "tags.maxtags");

    /** Known to distribution, but refusing them is safer than ignoring them (serving open or in clear). */
    static final Set<String> REFUSED = Set.of("proxy", "middleware", "storage.gcs",
            "storage.swift", "storage.oss");

    /** Known, not acted on, harmless to ignore: a warning is logged. */
    static final Set<String> IGNORED = Set.of("notifications", "redis", "health", "validation", "compatibility",
            "reporting", "policy", "http.debug", "http.h2c", "log.hooks", "log.fields",
            "log.formatter", "log.reportcaller", "storage.maintenance.uploadpurging", "http.secret", "http.net",
            "storage.tag", "storage.filesystem.maxthreads", "http.draintimeout", "catalog", "log.accesslog",
            "tags");

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

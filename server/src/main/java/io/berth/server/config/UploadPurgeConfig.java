package io.berth.server.config;

import java.time.Duration;

/**
 * {@code storage.maintenance.uploadpurging}: on by default as in distribution, removing uploads
 * started more than {@code age} (168h) ago, every {@code interval} (24h).
 */
public record UploadPurgeConfig(boolean enabled, Duration age, Duration interval, boolean dryRun) {
}

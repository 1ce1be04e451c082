package io.berth.server.notify;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.Descriptor;
import io.berth.core.manifest.Manifest;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.BlobInfo;
import io.berth.core.registry.ManifestInfo;
import io.berth.server.config.GoDuration;
import io.berth.server.config.NotificationsConfig;
import io.berth.server.http.ApiListener;
import io.berth.server.http.RequestInfo;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the API's operations into distribution's events and hands each to every endpoint's queue
 * (distribution's broadcaster). Blob targets have media type {@code application/octet-stream}, as
 * distribution's blob descriptors do; manifest targets their own type, and with
 * {@code notifications.events.includereferences} the descriptors they reference.
 */
public final class Notifier implements ApiListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    /** Events each endpoint holds while it is slow or down; beyond, the oldest are dropped. */
    public static final int QUEUE_CAPACITY = 10_000;
    static final String BLOB_MEDIA_TYPE = "application/octet-stream";

    private final List<Endpoint> endpoints;
    private final boolean includeReferences;
    private final Event.Source source;

    Notifier(List<Endpoint> endpoints, boolean includeReferences, Event.Source source) {
        this.endpoints = List.copyOf(endpoints);
        this.includeReferences = includeReferences;
        this.source = source;
    }

    /** Endpoints from config (disabled ones skipped); {@code port} is the API's, for the source address. */
    public static Notifier fromConfig(NotificationsConfig cfg, int port, MeterRegistry meters) {
        return fromConfig(cfg, port, meters, QUEUE_CAPACITY);
    }

    public static Notifier fromConfig(NotificationsConfig cfg, int port, MeterRegistry meters, int capacity) {
        List<Endpoint> eps = new ArrayList<>();
        for (NotificationsConfig.Endpoint e : cfg.endpoints()) {
            if (e.disabled()) {
                LOG.info("notifications: endpoint {} disabled, skipping", e.name());
                continue;
            }
            LOG.info("notifications: endpoint {} ({}), timeout={}, threshold={}, backoff={}", e.name(), e.url(),
                    GoDuration.format(e.timeout()), e.threshold(), GoDuration.format(e.backoff()));
            eps.add(new Endpoint(e, capacity, meters));
        }
        return new Notifier(eps, cfg.includeReferences(), new Event.Source(hostname() + ":" + port,
                UUID.randomUUID().toString()));
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public boolean isEmpty() {
        return endpoints.isEmpty();
    }

    private void emit(String action, RequestInfo rq, Event.Target target) {
        if (endpoints.isEmpty()) {
            return;
        }
        Event e = new Event(UUID.randomUUID().toString(), Instant.now(), action, target, rq, source);
        for (Endpoint ep : endpoints) {
            ep.offer(e);
        }
    }

    private Event.Target manifest(RequestInfo rq, RepositoryName repo, String mediaType, long size, Digest digest,
                                  Manifest m, String tag) {
        List<Descriptor> refs = List.of();
        if (includeReferences && m != null) {
            refs = new ArrayList<>(m.blobReferences());
            refs.addAll(m.manifestReferences());
        }
        return new Event.Target(mediaType, size, digest, repo.value(), null,
                url(rq, "/v2/" + repo.value() + "/manifests/" + digest), tag, refs);
    }

    private static Event.Target blob(RequestInfo rq, RepositoryName repo, BlobInfo blob, RepositoryName from) {
        return new Event.Target(BLOB_MEDIA_TYPE, blob.size(), blob.digest(), repo.value(),
                from == null ? null : from.value(), url(rq, "/v2/" + repo.value() + "/blobs/" + blob.digest()), null,
                List.of());
    }

    private static String url(RequestInfo rq, String path) {
        return rq.baseUrl() + path;
    }

    @Override
    public void manifestPushed(RequestInfo rq, RepositoryName repo, Manifest m, String tag) {
        emit("push", rq, manifest(rq, repo, m.mediaType(), m.bytes().length, m.digest(), m, tag));
    }

    @Override
    public void manifestPulled(RequestInfo rq, RepositoryName repo, ManifestInfo info, Manifest m, String tag) {
        emit("pull", rq, manifest(rq, repo, info.mediaType(), info.size(), info.digest(), m, tag));
    }

    @Override
    public void manifestDeleted(RequestInfo rq, RepositoryName repo, Digest digest) {
        emit("delete", rq, new Event.Target(null, 0, digest, repo.value(), null, null, null, List.of()));
    }

    @Override
    public void tagDeleted(RequestInfo rq, RepositoryName repo, String tag) {
        emit("delete", rq, new Event.Target(null, 0, null, repo.value(), null, null, tag, List.of()));
    }

    @Override
    public void blobPushed(RequestInfo rq, RepositoryName repo, BlobInfo b) {
        emit("push", rq, blob(rq, repo, b, null));
    }

    @Override
    public void blobPulled(RequestInfo rq, RepositoryName repo, BlobInfo b) {
        emit("pull", rq, blob(rq, repo, b, null));
    }

    @Override
    public void blobMounted(RequestInfo rq, RepositoryName repo, BlobInfo b, RepositoryName from) {
        emit("mount", rq, blob(rq, repo, b, from));
    }

    @Override
    public void blobDeleted(RequestInfo rq, RepositoryName repo, Digest digest) {
        emit("delete", rq, new Event.Target(null, 0, digest, repo.value(), null, null, null, List.of()));
    }

    @Override
    public boolean wantsManifestOnHead() {
        return includeReferences && !endpoints.isEmpty();
    }

    /** Gives the queues up to {@code flush} to drain, then drops what is left (counted, logged). */
    public void close(Duration flush) {
        long deadline = System.nanoTime() + flush.toNanos();
        for (Endpoint e : endpoints) {
            e.close(deadline);
        }
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }
}

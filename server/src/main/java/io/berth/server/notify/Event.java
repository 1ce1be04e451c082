package io.berth.server.notify;

import io.berth.core.digest.Digest;
import io.berth.core.manifest.Descriptor;
import io.berth.server.http.RequestInfo;
import java.time.Instant;
import java.util.List;

/**
 * One registry event in distribution's notification format ({@code notifications.Event}): what
 * happened ({@code action}: push, pull, mount, delete) to what ({@link Target}), asked by whom,
 * reported by which instance.
 */
public record Event(String id, Instant timestamp, String action, Target target, RequestInfo request,
                    Source source) {

    /** The event's subject. Absent fields (null, 0, empty) are left out of the JSON, as Go's omitempty does. */
    public record Target(String mediaType, long size, Digest digest, String repository, String fromRepository,
                         String url, String tag, List<Descriptor> references) {
    }

    /** The registry instance: {@code hostname:port} and an id that changes with every start. */
    public record Source(String addr, String instanceId) {
    }
}

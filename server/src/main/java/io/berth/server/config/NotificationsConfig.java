package io.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code notifications}: webhook endpoints and the event options, with distribution's defaults
 * (timeout 1s, threshold 10, backoff 1s).
 */
public record NotificationsConfig(boolean includeReferences, List<Endpoint> endpoints) {
    static final Set<String> ACTIONS = Set.of("push", "pull", "mount", "delete");

    public record Endpoint(String name, boolean disabled, URI url, Map<String, List<String>> headers,
                           Duration timeout, int threshold, Duration backoff, Set<String> ignoredMediaTypes,
                           Set<String> ignoredActions) {
    }

    static NotificationsConfig from(JsonNode n) {
        boolean refs = Nodes.bool("notifications.events.includereferences",
                n.path("events").path("includereferences"), false);
        List<Endpoint> endpoints = new ArrayList<>();
        List<JsonNode> items = Nodes.items("notifications.endpoints", n.path("endpoints"));
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Endpoint e = endpoint("notifications.endpoints[" + i + "]", items.get(i));
            if (!names.add(e.name())) {
                throw new ConfigException("notifications.endpoints: the name \"" + e.name() + "\" is used twice");
            }
            endpoints.add(e);
        }
        return new NotificationsConfig(refs, List.copyOf(endpoints));
    }

    private static Endpoint endpoint(String key, JsonNode n) {
        Nodes.only(key, n, Set.of("name", "disabled", "url", "headers", "timeout", "threshold", "backoff",
                "ignoredmediatypes", "ignore"));
        String name = Nodes.string(key + ".name", n.path("name"), "");
        if (name.isBlank()) {
            throw new ConfigException(key + ".name: missing; every endpoint needs a name");
        }
        String url = Nodes.string(key + ".url", n.path("url"), "");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException(key + ".url: invalid URL \"" + url + "\": " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new ConfigException(key + ".url: expected an http:// or https:// URL, got \"" + url + "\"");
        }
        Duration timeout = positive(key + ".timeout", GoDuration.parse(key + ".timeout", n.path("timeout"),
                Duration.ofSeconds(1)), Duration.ofSeconds(1));
        Duration backoff = positive(key + ".backoff", GoDuration.parse(key + ".backoff", n.path("backoff"),
                Duration.ofSeconds(1)), Duration.ofSeconds(1));
        int threshold = Nodes.integer(key + ".threshold", n.path("threshold"), 10);
        JsonNode ignore = n.path("ignore");
        if (!Nodes.absent(ignore)) {
            if (!ignore.isObject()) {
                throw new ConfigException(key + ".ignore: expected a mapping with mediatypes and actions");
            }
            Nodes.only(key + ".ignore", ignore, Set.of("mediatypes", "actions"));
        }
        Set<String> mediaTypes = new LinkedHashSet<>(Nodes.strings(key + ".ignoredmediatypes",
                n.path("ignoredmediatypes")));
        mediaTypes.addAll(Nodes.strings(key + ".ignore.mediatypes", ignore.path("mediatypes")));
        Set<String> actions = new LinkedHashSet<>(Nodes.strings(key + ".ignore.actions", ignore.path("actions")));
        for (String a : actions) {
            if (!ACTIONS.contains(a)) {
                throw new ConfigException(key + ".ignore.actions: unknown action \"" + a + "\" (push, pull, mount, delete)");
            }
        }
        return new Endpoint(name, Nodes.bool(key + ".disabled", n.path("disabled"), false), uri,
                Nodes.headers(key + ".headers", n.path("headers")), timeout, threshold <= 0 ? 10 : threshold,
                backoff, Set.copyOf(mediaTypes), Set.copyOf(actions));
    }

    /** distribution replaces zero or negative values by the default. */
    private static Duration positive(String key, Duration d, Duration dflt) {
        return d.isNegative() || d.isZero() ? dflt : d;
    }
}

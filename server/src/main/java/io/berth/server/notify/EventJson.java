package io.berth.server.notify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.berth.core.manifest.Descriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * The envelope {@code application/vnd.docker.distribution.events.v1+json}:
 * {@code {"events":[...]}} with each event's fields named and ordered as distribution's Go structs
 * marshal them (omitempty fields left out; request id, method and useragent always present).
 */
public final class EventJson {
    public static final String MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json";
    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {
    }

    public static byte[] envelope(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 * events.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("events");
            for (Event e : events) {
                write(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Event e) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", e.id());
        g.writeStringField("timestamp", DateTimeFormatter.ISO_INSTANT.format(e.timestamp()));
        g.writeStringField("action", e.action());
        Event.Target t = e.target();
        g.writeObjectFieldStart("target");
        string(g, "mediaType", t.mediaType());
        if (t.size() > 0) {
            g.writeNumberField("size", t.size());
        }
        string(g, "digest", t.digest() == null ? null : t.digest().toString());
        if (t.size() > 0) {
            g.writeNumberField("length", t.size()); // the size again, for older consumers
        }
        string(g, "repository", t.repository());
        string(g, "fromRepository", t.fromRepository());
        string(g, "url", t.url());
        string(g, "tag", t.tag());
        if (t.references() != null && !t.references().isEmpty()) {
            g.writeArrayFieldStart("references");
            for (Descriptor d : t.references()) {
                descriptor(g, d);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeObjectFieldStart("request");
        g.writeStringField("id", e.request().id());
        string(g, "addr", e.request().addr());
        string(g, "host", e.request().host());
        g.writeStringField("method", e.request().method());
        g.writeStringField("useragent", e.request().userAgent() == null ? "" : e.request().userAgent());
        g.writeEndObject();
        g.writeObjectFieldStart("actor");
        string(g, "name", e.request().user());
        g.writeEndObject();
        g.writeObjectFieldStart("source");
        string(g, "addr", e.source().addr());
        string(g, "instanceID", e.source().instanceId());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void descriptor(JsonGenerator g, Descriptor d) throws IOException {
        g.writeStartObject();
        string(g, "mediaType", d.mediaType());
        if (d.size() > 0) {
            g.writeNumberField("size", d.size());
        }
        string(g, "digest", d.digest().toString());
        if (!d.urls().isEmpty()) {
            g.writeArrayFieldStart("urls");
            for (String u : d.urls()) {
                g.writeString(u);
            }
            g.writeEndArray();
        }
        if (!d.annotations().isEmpty()) {
            g.writeObjectFieldStart("annotations");
            for (Map.Entry<String, String> a : new java.util.TreeMap<>(d.annotations()).entrySet()) {
                g.writeStringField(a.getKey(), a.getValue());
            }
            g.writeEndObject();
        }
        if (d.platform() != null) {
            g.writeObjectFieldStart("platform");
            string(g, "architecture", d.platform().architecture());
            string(g, "os", d.platform().os());
            string(g, "variant", d.platform().variant());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }
}

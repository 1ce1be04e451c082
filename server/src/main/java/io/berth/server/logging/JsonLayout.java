package io.berth.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One JSON object per line, with logrus' JSON field names ({@code time}, {@code level}, {@code msg})
 * as distribution writes them with {@code log.formatter: json}, or logstash's ({@code @timestamp},
 * {@code @version}, {@code message}) with {@code logstash}. Fields are top-level keys.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();

    private Map<String, String> statics = Map.of();
    private boolean logstash;

    public void setStaticFields(Map<String, String> fields) {
        this.statics = Map.copyOf(fields);
    }

    public void setLogstash(boolean logstash) {
        this.logstash = logstash;
    }

    @Override
    public String doLayout(ILoggingEvent e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (logstash) {
                g.writeStringField("@timestamp", LogFields.time(e));
                g.writeStringField("@version", "1");
                g.writeStringField("level", LogFields.level(e.getLevel()));
                g.writeStringField("message", e.getFormattedMessage());
            } else {
                g.writeStringField("time", LogFields.time(e));
                g.writeStringField("level", LogFields.level(e.getLevel()));
                g.writeStringField("msg", e.getFormattedMessage());
            }
            g.writeStringField("logger", LogFields.logger(e));
            for (Map.Entry<String, Object> f : LogFields.fields(statics, e).entrySet()) {
                Object v = f.getValue();
                if (v instanceof Number n) {
                    g.writeFieldName(f.getKey());
                    if (n instanceof Double || n instanceof Float) {
                        g.writeNumber(n.doubleValue());
                    } else {
                        g.writeNumber(n.longValue());
                    }
                } else if (v instanceof Boolean b) {
                    g.writeBooleanField(f.getKey(), b);
                } else if (v != null) {
                    g.writeStringField(f.getKey(), v.toString());
                }
            }
            String stack = LogFields.stackTrace(e);
            if (stack != null) {
                g.writeStringField("error", stack);
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.append('\n').toString();
    }
}

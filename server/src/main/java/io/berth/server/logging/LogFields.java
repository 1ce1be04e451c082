package io.berth.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/** What a line holds, in the order both layouts write it: time, level, message, logger, fields. */
final class LogFields {
    private LogFields() {
    }

    /** logrus' level names, which distribution's log readers expect. */
    static String level(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "error";
            case Level.WARN_INT -> "warning";
            case Level.DEBUG_INT -> "debug";
            case Level.TRACE_INT -> "trace";
            default -> "info";
        };
    }

    static String time(ILoggingEvent e) {
        Instant t = e.getInstant() != null ? e.getInstant() : Instant.ofEpochMilli(e.getTimeStamp());
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    static String logger(ILoggingEvent e) {
        String n = e.getLoggerName();
        return n.startsWith("io.berth.") ? n.substring(n.lastIndexOf('.') + 1) : n;
    }

    /** Static fields (log.fields), then the event's own key/value pairs. */
    static Map<String, Object> fields(Map<String, String> statics, ILoggingEvent e) {
        Map<String, Object> out = new LinkedHashMap<>(statics);
        if (e.getKeyValuePairs() != null) {
            for (KeyValuePair kv : e.getKeyValuePairs()) {
                if (kv.value != null) { // an absent header is left out, as logrus leaves out unset fields
                    out.put(kv.key, kv.value);
                }
            }
        }
        return out;
    }

    static String stackTrace(ILoggingEvent e) {
        IThrowableProxy t = e.getThrowableProxy();
        return t == null ? null : ThrowableProxyUtil.asString(t);
    }
}

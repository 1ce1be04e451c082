package io.berth.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import java.util.Map;

/**
 * logrus' text format, as distribution writes it: {@code time="..." level=info msg="..." key=value},
 * one line per event (a stack trace follows on its own lines).
 */
public final class TextLayout extends LayoutBase<ILoggingEvent> {
    private Map<String, String> statics = Map.of();

    public void setStaticFields(Map<String, String> fields) {
        this.statics = Map.copyOf(fields);
    }

    @Override
    public String doLayout(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("time=\"").append(LogFields.time(e)).append("\" level=").append(LogFields.level(e.getLevel()));
        sb.append(" msg=");
        value(sb, e.getFormattedMessage());
        for (Map.Entry<String, Object> f : LogFields.fields(statics, e).entrySet()) {
            sb.append(' ').append(f.getKey()).append('=');
            value(sb, String.valueOf(f.getValue()));
        }
        sb.append(" logger=").append(LogFields.logger(e)).append('\n');
        String stack = LogFields.stackTrace(e);
        if (stack != null) {
            sb.append(stack);
        }
        return sb.toString();
    }

    /** logfmt: bare when safe, else quoted with escapes, so a line never breaks in two. */
    static void value(StringBuilder sb, String v) {
        boolean bare = !v.isEmpty();
        for (int i = 0; i < v.length() && bare; i++) {
            char c = v.charAt(i);
            bare = c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f;
        }
        if (bare) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < ' ') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}

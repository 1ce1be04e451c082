package io.berth.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Locale;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Configures logback from config.yml: {@code log.level} for Berth's loggers (third-party libraries
 * stay at warning), {@code log.formatter} text or JSON lines on stderr, {@code log.fields}, and the
 * access log ({@link #ACCESS_LOGGER}), which like distribution's is written whatever the level
 * unless {@code log.accesslog.disabled}.
 */
public final class LogSetup {
    public static final String ACCESS_LOGGER = "io.berth.access";

    private LogSetup() {
    }

    public static void configure(String level, String formatter, Map<String, String> fields, boolean accessLog) {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        if (f instanceof LoggerContext ctx) {
            apply(ctx, level, formatter, fields, accessLog);
        }
    }

    static void apply(LoggerContext ctx, String level, String formatter, Map<String, String> fields,
                      boolean accessLog) {
        if (ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()) {
            ctx.reset(); // reconfiguring after the defaults
        }
        LayoutBase<ILoggingEvent> layout;
        if (formatter.equals("json") || formatter.equals("logstash")) {
            JsonLayout json = new JsonLayout();
            json.setStaticFields(fields);
            json.setLogstash(formatter.equals("logstash"));
            layout = json;
        } else {
            TextLayout text = new TextLayout();
            text.setStaticFields(fields);
            layout = text;
        }
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        ctx.getLogger("io.berth").setLevel(level(level));
        ctx.getLogger(ACCESS_LOGGER).setLevel(accessLog ? Level.INFO : Level.OFF);
        // the Azure SDK's JDK HTTP client warns on every request that it leaves Content-Length to
        // the JDK's client, which computes the same value: ~4,800 lines in one conformance run
        ctx.getLogger(AZURE_JDK_HTTP_CLIENT).setLevel(Level.ERROR);
    }

    static final String AZURE_JDK_HTTP_CLIENT = "com.azure.core.http.jdk.httpclient.JdkHttpClient";

    /** distribution's level names (logrus): panic, fatal, error, warn, info, debug, trace. */
    static Level level(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "panic", "fatal", "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARN;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> Level.INFO;
        };
    }
}

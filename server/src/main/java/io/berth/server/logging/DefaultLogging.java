package io.berth.server.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * Logback's configuration until config.yml is read (and for the tests): text lines on stderr,
 * Berth at info, libraries at warning. Found through ServiceLoader, so no logback.xml is parsed.
 */
public final class DefaultLogging extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        LogSetup.apply(ctx, "info", "text", Map.of(), true);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}

package io.berth.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogSetupTest {
    @Test
    void berthAtTheConfiguredLevelLibrariesAtWarningTheAzureHttpClientAtError() {
        LoggerContext ctx = new LoggerContext();
        LogSetup.apply(ctx, "debug", "text", Map.of(), true);
        assertEquals(Level.DEBUG, ctx.getLogger("io.berth.server.http.ApiHandler").getEffectiveLevel());
        assertEquals(Level.WARN, ctx.getLogger("software.amazon.awssdk.request").getEffectiveLevel());
        assertEquals(Level.WARN, ctx.getLogger("com.azure.storage.blob").getEffectiveLevel());
        assertEquals(Level.ERROR, ctx.getLogger(LogSetup.AZURE_JDK_HTTP_CLIENT).getEffectiveLevel());
        assertEquals(Level.INFO, ctx.getLogger(LogSetup.ACCESS_LOGGER).getEffectiveLevel());
    }
}

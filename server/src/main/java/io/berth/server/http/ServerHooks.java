package io.berth.server.http;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.server.Handler;

/**
 * What operations add around the API: a listener for its events, a handler wrapped around it
 * (request ids, access log, metrics, health gate) and how long a stop waits for requests in flight.
 */
public record ServerHooks(ApiListener listener, UnaryOperator<Handler> wrapper, Duration drainTimeout) {
    public static final ServerHooks NONE = new ServerHooks(ApiListener.NONE, h -> h, Duration.ofSeconds(10));
}

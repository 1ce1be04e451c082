package io.berth.server.http;

import io.berth.core.registry.Registry;
import io.berth.server.auth.AccessController;
import io.berth.server.auth.AuthHandler;
import io.berth.server.tls.TlsConnectors;
import io.berth.server.tls.TlsSettings;
import java.net.InetSocketAddress;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Jetty server around {@link ApiHandler}: one HTTP connector, virtual threads where the JVM has them. */
public final class RegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);

    private final Server server;
    private final ServerConnector connector;

    public RegistryServer(Registry registry, ApiPolicy policy, String host, int port) {
        this(registry, policy, host, port, ServerHooks.NONE, null, null);
    }

    public RegistryServer(Registry registry, ApiPolicy policy, String host, int port, ServerHooks hooks) {
        this(registry, policy, host, port, hooks, null, null);
    }

    public RegistryServer(Registry registry, ApiPolicy policy, String host, int port, AccessController auth,
                          TlsSettings tls) {
        this(registry, policy, host, port, ServerHooks.NONE, auth, tls);
    }

    /**
     * The handlers nest as graceful(operations(auth(api))): operations' access log, metrics and
     * health see every request including the 401s; the drain timeout a stop (SIGTERM) waits for
     * requests in flight comes from the hooks. {@code auth} null: open; {@code tls} null: plain HTTP.
     */
    public RegistryServer(Registry registry, ApiPolicy policy, String host, int port, ServerHooks hooks,
                          AccessController auth, TlsSettings tls) {
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("berth");
        if (VirtualThreads.areSupported()) {
            pool.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("berth-vt"));
        }
        // Jetty pools buffers only up to 64 KiB by default; larger ones (our 128 KiB request reads,
        // 256 KiB file sends) were allocated fresh and freed only when a GC found them, which
        // let direct memory (RSS) climb past 1 GiB under load. Pool them, and bound what is kept.
        ByteBufferPool buffers = new ArrayByteBufferPool(0, -1, 1024 * 1024, -1, 64L << 20, 128L << 20);
        server = new Server(pool, null, buffers);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(64 * 1024); // many ?tag= parameters on one PUT
        http.setOutputBufferSize(64 * 1024);
        if (tls == null) {
            HttpConnectionFactory h1 = new HttpConnectionFactory(http);
            // Jetty reads request bodies in buffers of this size (8 KiB by default): larger reads mean
            // far fewer syscalls and chunk hand-offs on multi-GiB layer uploads.
            h1.setInputBufferSize(128 * 1024);
            connector = new ServerConnector(server, h1);
        } else {
            connector = TlsConnectors.create(server, http, tls);
        }
        connector.setHost(host == null || host.isEmpty() ? null : host);
        connector.setPort(port);
        connector.setIdleTimeout(5 * 60_000L);
        server.addConnector(connector);
        Handler api = new ApiHandler(registry, policy, hooks.listener());
        Handler guarded = auth == null ? api : new AuthHandler(auth, policy, api);
        GracefulHandler graceful = new GracefulHandler();
        graceful.setHandler(hooks.wrapper().apply(guarded));
        server.setHandler(graceful);
        server.setErrorHandler(new JsonErrorHandler());
        // 0 stops at once (distribution's draintimeout: 0); Jetty then skips the graceful phase
        server.setStopTimeout(hooks.drainTimeout().toMillis());
    }

    public void start() throws Exception {
        server.start();
        LOG.info("listening on {} (virtual threads: {})", address(), VirtualThreads.areSupported());
    }

    public InetSocketAddress address() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        return new InetSocketAddress(host, connector.getLocalPort());
    }

    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}

package io.berth.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback TCP ports for child processes (registries) started by the tests. */
public final class Ports {
    private Ports() {}

    /**
     * Asks the kernel for an ephemeral port on 127.0.0.1 and releases it again. There is a small
     * race until the child binds it; {@link DistributionRegistry} retries when that happens.
     */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}

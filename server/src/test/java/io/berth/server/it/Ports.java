package io.berth.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free loopback TCP ports for child processes (registries) started by the tests. */
public final class Ports {
    /**
     * Every port handed out so far: the kernel may offer a just-released port again, and two
     * registries started side by side on one port would leave the test talking to the wrong one.
     */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private Ports() {}

    /**
     * Asks the kernel for an ephemeral port on 127.0.0.1 and releases it again, never the same one
     * twice in this JVM. There is a small race until the child binds it (another process may take
     * it); starters retry when the child's log says it cannot listen.
     */
    public static int free() {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }
        throw new IllegalStateException("the kernel offered only ports already handed out");
    }
}

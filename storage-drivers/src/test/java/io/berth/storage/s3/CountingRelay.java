package io.berth.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of a server that counts the bytes it hands from the server to
 * its clients: what a driver really fetched, whatever its HTTP client does on close.
 */
final class CountingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final AtomicLong fromServer = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    CountingRelay(String host, int port) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(host, port);
                    sockets.add(client);
                    sockets.add(server);
                    pump(client, server, null);
                    pump(server, client, fromServer);
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Bytes the server sent that a client was handed. */
    long bytesFromServer() {
        return fromServer.get();
    }

    private static void pump(Socket from, Socket to, AtomicLong counter) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    if (counter != null) {
                        counter.addAndGet(n);
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(CountingRelay::closeQuietly);
    }
}

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy that adds a fixed delay before each request, the round trip a cloud object
 * store costs and a storage server on the same machine does not. Used by bench/gc-bench-s3.sh and
 * bench/compare.sh (LATENCY_MS) to put both programs at the distance from the local S3 server that
 * they would be from S3.
 *
 * <p>No HTTP parsing: on a keep-alive connection, the client's first bytes after the server has
 * answered (or the connection's first bytes) start a request and wait {@code delay} ms; the rest of
 * the request (its body) does not. A 100-continue exchange therefore costs two delays, as it does
 * on the network. Bytes pass unchanged, so request signatures stay valid.
 *
 * <p>Usage: {@code java bench/LatencyProxy.java LISTEN_PORT TARGET_PORT DELAY_MS} (both on 127.0.0.1).
 */
public final class LatencyProxy {
    public static void main(String[] args) throws IOException {
        int listen = Integer.parseInt(args[0]);
        int target = Integer.parseInt(args[1]);
        long delay = Long.parseLong(args[2]);
        try (ServerSocket server = new ServerSocket(listen, 256, InetAddress.getLoopbackAddress())) {
            System.out.println("listening on 127.0.0.1:" + listen + ", " + delay + " ms before each request to :" + target);
            while (true) {
                Socket client = server.accept();
                Thread t = new Thread(() -> relay(client, target, delay));
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void relay(Socket client, int target, long delay) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target)) {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            AtomicBoolean answered = new AtomicBoolean(true); // the first bytes start a request
            Thread back = new Thread(() -> pump(upstream, client, answered, false, delay));
            back.setDaemon(true);
            back.start();
            pump(client, upstream, answered, true, delay);
            back.join();
        } catch (IOException | InterruptedException e) {
            // a side closed: so does the other
        }
    }

    /**
     * Copies {@code from} to {@code to}. Towards the server, bytes that follow an answer wait
     * {@code delay}; towards the client, bytes are an answer.
     */
    private static void pump(Socket from, Socket to, AtomicBoolean answered, boolean toServer, long delay) {
        byte[] buf = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (toServer && answered.getAndSet(false) && delay > 0) {
                    Thread.sleep(delay);
                }
                if (!toServer) {
                    answered.set(true); // before the client can see the answer and send again
                }
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

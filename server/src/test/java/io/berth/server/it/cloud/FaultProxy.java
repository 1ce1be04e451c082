package io.berth.server.it.cloud;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A loopback HTTP/1.1 proxy in front of an S3 server that fails or delays chosen requests, the
 * way S3 does under load: {@code 503 SlowDown} and {@code 500 InternalError} with S3's XML error
 * body. Requests are forwarded unchanged (one upstream connection each), so signatures stay valid.
 * Rules are checked in the order added; the first that takes a request decides what happens to it.
 */
final class FaultProxy implements AutoCloseable {
    /** A request as it arrived: method, target ({@code /bucket/key?query}) and headers. */
    record Request(String method, String target, List<String[]> headers) {
        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        String query() {
            int q = target.indexOf('?');
            return q < 0 ? "" : target.substring(q + 1);
        }

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        /** The S3 operation, as far as these tests need to tell them apart. */
        String operation() {
            String q = query();
            boolean upload = hasParam(q, "uploadId");
            return switch (method) {
                case "PUT" -> header("x-amz-copy-source") != null ? (upload ? "UploadPartCopy" : "CopyObject")
                        : upload ? "UploadPart" : "PutObject";
                case "POST" -> upload ? "CompleteMultipartUpload" : hasParam(q, "uploads") ? "CreateMultipartUpload"
                        : hasParam(q, "delete") ? "DeleteObjects" : "POST";
                case "DELETE" -> upload ? "AbortMultipartUpload" : "DeleteObject";
                case "HEAD" -> "HeadObject";
                case "GET" -> hasParam(q, "uploads") ? "ListMultipartUploads" : upload ? "ListParts"
                        : hasParam(q, "list-type") ? "ListObjectsV2" : "GetObject";
                default -> method;
            };
        }

        private static boolean hasParam(String query, String name) {
            for (String p : query.split("&")) {
                if (p.equals(name) || p.startsWith(name + "=")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return operation() + " " + method + " " + target;
        }
    }

    /** What to do with a request a rule took. */
    record Action(int status, String code, Duration delay) {
        static Action fail(int status, String code) {
            return new Action(status, code, Duration.ZERO);
        }

        static Action delay(Duration d) {
            return new Action(0, null, d);
        }

        boolean fails() {
            return status > 0;
        }
    }

    private static final class Rule {
        final String name;
        final Predicate<Request> match;
        final int everyNth; // 1: every matching request
        final AtomicInteger remaining; // negative: no limit
        final AtomicInteger seen = new AtomicInteger();
        final Action action;

        Rule(String name, Predicate<Request> match, int everyNth, int times, Action action) {
            this.name = name;
            this.match = match;
            this.everyNth = everyNth;
            this.remaining = new AtomicInteger(times);
            this.action = action;
        }

        /** Whether this rule takes the request (and counts it). */
        boolean take(Request r) {
            if (!match.test(r)) {
                return false;
            }
            if (seen.incrementAndGet() % everyNth != 0) {
                return false;
            }
            while (true) {
                int left = remaining.get();
                if (left == 0) {
                    return false;
                }
                if (left < 0 || remaining.compareAndSet(left, left - 1)) {
                    return true;
                }
            }
        }
    }

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong forwarded = new AtomicLong();
    /** Every request a rule took: "name: request". */
    final List<String> injected = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    FaultProxy(URI upstream) {
        this.upstreamHost = upstream.getHost();
        this.upstreamPort = upstream.getPort();
        try {
            this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    // ---- rules ----

    /** Fails the first {@code times} matching requests (negative: all of them) with {@code status code}. */
    FaultProxy fail(String name, Predicate<Request> match, int times, int status, String code) {
        rules.add(new Rule(name, match, 1, times, Action.fail(status, code)));
        return this;
    }

    /** Fails every {@code n}th matching request. */
    FaultProxy failEvery(String name, int n, Predicate<Request> match, int status, String code) {
        rules.add(new Rule(name, match, n, -1, Action.fail(status, code)));
        return this;
    }

    /** Holds the first {@code times} matching requests for {@code delay} before forwarding them. */
    FaultProxy delay(String name, Predicate<Request> match, int times, Duration delay) {
        rules.add(new Rule(name, match, 1, times, Action.delay(delay)));
        return this;
    }

    /** Back to forwarding everything; returns what was injected so far and forgets it. */
    List<String> heal() {
        rules.clear();
        synchronized (injected) {
            List<String> was = List.copyOf(injected);
            injected.clear();
            return was;
        }
    }

    static Predicate<Request> op(String... operations) {
        Set<String> ops = Set.of(operations);
        return r -> ops.contains(r.operation());
    }

    static Predicate<Request> any() {
        return r -> true;
    }

    long forwarded() {
        return forwarded.get();
    }

    // ---- serving ----

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(s);
            Thread t = new Thread(() -> serve(s), "fault-proxy-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(client.getOutputStream(), 64 * 1024);
            while (!closed) {
                List<String> head = readHead(in);
                if (head == null) {
                    return; // the client closed the connection
                }
                String[] line = head.get(0).split(" ", 3);
                List<String[]> headers = parseHeaders(head);
                Request req = new Request(line[0], line[1], headers);
                Action action = decide(req);
                if (action != null && !action.delay().isZero()) {
                    Thread.sleep(action.delay().toMillis());
                }
                if (action != null && action.fails()) {
                    // answered without reading the body: the connection cannot be reused
                    writeError(out, req, action);
                    return;
                }
                if (!forward(req, head.get(0), in, out)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // a peer went away; the SDK retries on another connection
        } finally {
            open.remove(client);
        }
    }

    private Action decide(Request r) {
        for (Rule rule : rules) {
            if (rule.take(r)) {
                injected.add(rule.name + ": " + r);
                return rule.action;
            }
        }
        return null;
    }

    private static void writeError(OutputStream out, Request req, Action a) throws IOException {
        String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        String message = switch (a.code()) {
            case "SlowDown" -> "Please reduce your request rate.";
            case "InternalError" -> "We encountered an internal error. Please try again.";
            case "ServiceUnavailable" -> "Service is unable to handle request.";
            default -> "Injected by the test's fault proxy.";
        };
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + a.code() + "</Code><Message>"
                + message + "</Message><RequestId>" + requestId + "</RequestId><HostId>fault-proxy</HostId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        boolean head = req.method().equals("HEAD");
        String reason = a.status() == 503 ? "Slow Down" : a.status() == 500 ? "Internal Server Error" : "Error";
        String h = "HTTP/1.1 " + a.status() + " " + reason + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "x-amz-request-id: " + requestId + "\r\n"
                + "Content-Length: " + (head ? 0 : body.length) + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(h.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(body);
        }
        out.flush();
    }

    /** Forwards one exchange; false when the client connection must be closed after it. */
    private boolean forward(Request req, String requestLine, InputStream in, OutputStream out) throws IOException {
        forwarded.incrementAndGet();
        boolean expectContinue = "100-continue".equalsIgnoreCase(req.header("Expect"));
        if (expectContinue) {
            // answer it here: the body is then streamed upstream as it arrives
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        try (Socket up = new Socket(upstreamHost, upstreamPort)) {
            OutputStream uo = new BufferedOutputStream(up.getOutputStream(), 64 * 1024);
            InputStream ui = new BufferedInputStream(up.getInputStream(), 64 * 1024);
            StringBuilder h = new StringBuilder(requestLine).append("\r\n");
            for (String[] kv : req.headers()) {
                String name = kv[0].toLowerCase(Locale.ROOT);
                if (name.equals("connection") || name.equals("expect") || name.equals("keep-alive")) {
                    continue;
                }
                h.append(kv[0]).append(": ").append(kv[1]).append("\r\n");
            }
            h.append("Connection: close\r\n\r\n");
            uo.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            copyBody(in, uo, req.header("Transfer-Encoding"), req.header("Content-Length"), false);
            uo.flush();

            List<String> resp;
            do {
                resp = readHead(ui);
                if (resp == null) {
                    throw new IOException("upstream closed without answering " + req);
                }
            } while (resp.get(0).split(" ")[1].startsWith("1")); // interim answers: not for the client
            int status = Integer.parseInt(resp.get(0).split(" ")[1]);
            List<String[]> headers = parseHeaders(resp);
            String te = null;
            String cl = null;
            StringBuilder rh = new StringBuilder(resp.get(0)).append("\r\n");
            for (String[] kv : headers) {
                String name = kv[0].toLowerCase(Locale.ROOT);
                if (name.equals("connection") || name.equals("keep-alive")) {
                    continue;
                }
                if (name.equals("transfer-encoding")) {
                    te = kv[1];
                }
                if (name.equals("content-length")) {
                    cl = kv[1];
                }
                rh.append(kv[0]).append(": ").append(kv[1]).append("\r\n");
            }
            boolean noBody = req.method().equals("HEAD") || status == 204 || status == 304;
            boolean untilClose = !noBody && te == null && cl == null;
            if (untilClose) {
                rh.append("Connection: close\r\n");
            }
            rh.append("\r\n");
            out.write(rh.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (!noBody) {
                copyBody(ui, out, te, cl, untilClose);
            }
            out.flush();
            return !untilClose;
        }
    }

    /** Copies a message body framed by chunked encoding, a length, or the end of the stream. */
    private static void copyBody(InputStream in, OutputStream out, String transferEncoding, String contentLength,
                                 boolean untilClose) throws IOException {
        byte[] buf = new byte[64 * 1024];
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    throw new IOException("chunked body cut short");
                }
                out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in);
                        if (trailer == null) {
                            throw new IOException("chunked body cut short");
                        }
                        out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } while (!trailer.isEmpty());
                    return;
                }
                copyExactly(in, out, size + 2, buf); // the chunk and its CRLF
            }
        }
        if (contentLength != null) {
            copyExactly(in, out, Long.parseLong(contentLength.trim()), buf);
            return;
        }
        if (untilClose) {
            in.transferTo(out);
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long n, byte[] buf) throws IOException {
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new IOException("body cut short by " + n + " bytes");
            }
            out.write(buf, 0, r);
            n -= r;
        }
    }

    /** The request or status line and the header lines, or null at a clean end of stream. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                if (lines.isEmpty()) {
                    return null;
                }
                throw new IOException("connection closed inside a message head");
            }
            if (line.isEmpty()) {
                if (lines.isEmpty()) {
                    continue; // stray CRLF between messages
                }
                return lines;
            }
            lines.add(line);
        }
    }

    private static List<String[]> parseHeaders(List<String> head) {
        List<String[]> headers = new ArrayList<>();
        for (String l : head.subList(1, head.size())) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
            }
        }
        return headers;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (line.size() > 64 * 1024) {
                throw new IOException("header line too long");
            }
            line.write(b);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}

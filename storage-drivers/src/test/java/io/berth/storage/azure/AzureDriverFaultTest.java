package io.berth.storage.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.storage.blob.models.BlobType;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Failures real Azure produces and Azurite does not, injected into the driver's HTTP pipeline:
 * transient 5xx answers, an Append Block whose success answer is lost, and Azure's refusal to
 * change a blob's type in place (Azurite changes it silently).
 */
class AzureDriverFaultTest {
    private AzuriteServer azurite;
    private String containerName;
    private final Faults faults = new Faults();
    private AzureDriver driver;

    @BeforeEach
    void setUp() throws IOException {
        azurite = AzuriteServer.shared();
        containerName = azurite.newContainer();
        driver = new AzureDriver(AzureParameters.parse(azurite.parameters(containerName)), List.of(faults));
    }

    @AfterEach
    void tearDown() {
        driver.close();
        azurite.deleteContainer(containerName);
    }

    @Test
    void transientServerErrorsAreRetried() throws IOException {
        faults.add("503 on read", r -> r.getHttpMethod() == HttpMethod.GET && path(r).endsWith("/f"), 2,
                Action.fail(503, "ServerBusy"));
        faults.add("500 on write", r -> r.getHttpMethod() == HttpMethod.PUT && path(r).endsWith("/f"), 1,
                Action.fail(500, "InternalError"));
        driver.putContent("/f", utf8("content"));
        assertArrayEquals(utf8("content"), driver.getContent("/f"));
        assertEquals(3, faults.injected.get());
    }

    @Test
    void anAppendWhoseAnswerWasLostIsNotAppendedTwice() throws IOException {
        byte[] content = new byte[9 * 1024 * 1024 + 7];
        new Random(1).nextBytes(content);
        // the service appends the block, then the answer is lost: the SDK retries, the retry's
        // append position is taken, and the writer must see that its own block is already there
        faults.add("lost append answer", r -> "appendblock".equals(comp(r)), 2, Action.forwardThenFail(500, "OperationTimedOut"));
        try (FileWriter w = driver.writer("/upload", false)) {
            w.write(content);
            w.commit();
            assertEquals(content.length, w.size());
        }
        assertEquals(2, faults.injected.get());
        assertArrayEquals(content, driver.getContent("/upload"));
    }

    @Test
    void aBufferedBlockIsSentAgainWholeAfterAFailureAndRecognisedAfterALostAnswer() throws IOException {
        byte[] content = new byte[5 * 1024 * 1024 + 3];
        new Random(2).nextBytes(content);
        // the first block's body is read, then the attempt fails: the SDK's retry must send the
        // buffer again from its first byte; that retry lands but its answer is lost, so the
        // writer must compare the stored bytes with its buffer
        faults.add("failed after the body", r -> "appendblock".equals(comp(r)), 1, Action.readBodyThenFail(503, "ServerBusy"));
        faults.add("lost append answer", r -> "appendblock".equals(comp(r)), 1, Action.forwardThenFail(500, "OperationTimedOut"));
        try (FileWriter w = driver.writer("/buffered", false)) {
            for (int off = 0; off < content.length; off += 64 * 1024) { // as Jetty hands request bodies over
                w.write(content, off, Math.min(64 * 1024, content.length - off));
            }
            w.commit();
            assertEquals(content.length, w.size());
        }
        assertEquals(2, faults.injected.get());
        assertArrayEquals(content, driver.getContent("/buffered"));
    }

    @Test
    void blobTypeChangesDeleteFirstAsOnAzure() throws IOException {
        // real Azure answers 409 InvalidBlobType when a Put Blob or a copy would change a blob's type
        Predicate<HttpRequest> putBlock = r -> r.getHttpMethod() == HttpMethod.PUT && comp(r) == null
                && "BlockBlob".equals(r.getHeaders().getValue(HttpHeaderName.fromString("x-ms-blob-type")));
        Predicate<HttpRequest> createAppend = r -> r.getHttpMethod() == HttpMethod.PUT && comp(r) == null
                && "AppendBlob".equals(r.getHeaders().getValue(HttpHeaderName.fromString("x-ms-blob-type")));
        Predicate<HttpRequest> copy = r -> r.getHeaders().getValue(HttpHeaderName.fromString("x-ms-copy-source")) != null;

        try (FileWriter w = driver.writer("/a", false)) {
            w.write(utf8("append blob"));
            w.commit();
        }
        faults.add("put over append blob", putBlock, 1, Action.fail(409, "InvalidBlobType"));
        driver.putContent("/a", utf8("block blob"));
        assertArrayEquals(utf8("block blob"), driver.getContent("/a"));
        assertEquals(BlobType.BLOCK_BLOB, blobType("a"));

        faults.add("create append over block blob", createAppend, 1, Action.fail(409, "InvalidBlobType"));
        try (FileWriter w = driver.writer("/a", false)) {
            w.write(utf8("appended again"));
            w.commit();
        }
        assertArrayEquals(utf8("appended again"), driver.getContent("/a"));

        driver.putContent("/dest", utf8("a block blob in the way"));
        faults.add("copy over other type", copy, 1, Action.fail(409, "InvalidBlobType"));
        driver.move("/a", "/dest");
        assertArrayEquals(utf8("appended again"), driver.getContent("/dest"));
        assertThrows(PathNotFoundException.class, () -> driver.stat("/a"));
        assertEquals(3, faults.injected.get());
        assertTrue(faults.log.stream().filter(s -> s.startsWith("DELETE")).count() >= 3, faults.log.toString());
    }

    @Test
    void otherErrorsAreStorageExceptionsNamingThePath() throws IOException {
        driver.putContent("/f", utf8("x"));
        faults.add("403", r -> true, Integer.MAX_VALUE, Action.fail(403, "AuthorizationPermissionMismatch"));
        StorageException e = assertThrows(StorageException.class, () -> driver.getContent("/f"));
        assertFalse(e instanceof PathNotFoundException);
        assertEquals("/f", e.path());
        assertTrue(e.getMessage().contains("403") && e.getMessage().contains("AuthorizationPermissionMismatch"),
                e.getMessage());
        assertThrows(StorageException.class, () -> driver.list("/"));
    }

    private BlobType blobType(String name) {
        return azurite.service().getBlobContainerClient(containerName).getBlobClient(name).getProperties().getBlobType();
    }

    private static String path(HttpRequest r) {
        return r.getUrl().getPath();
    }

    private static String comp(HttpRequest r) {
        String q = r.getUrl().getQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            if (part.startsWith("comp=")) {
                return part.substring(5);
            }
        }
        return null;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- the injector ----

    private record Action(boolean forward, boolean readBody, int status, String code) {
        static Action fail(int status, String code) {
            return new Action(false, false, status, code);
        }

        static Action forwardThenFail(int status, String code) {
            return new Action(true, false, status, code);
        }

        /** Reads the request's body as a server would before failing: a retry cannot reuse it. */
        static Action readBodyThenFail(int status, String code) {
            return new Action(false, true, status, code);
        }
    }

    private static final class Rule {
        final String name;
        final Predicate<HttpRequest> when;
        final AtomicInteger remaining;
        final Action action;

        Rule(String name, Predicate<HttpRequest> when, int times, Action action) {
            this.name = name;
            this.when = when;
            this.remaining = new AtomicInteger(times);
            this.action = action;
        }
    }

    /** A per-try policy: sees every attempt, so the SDK's own retries are what recovers. */
    private static final class Faults implements HttpPipelinePolicy {
        final List<Rule> rules = Collections.synchronizedList(new ArrayList<>());
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger injected = new AtomicInteger();

        void add(String name, Predicate<HttpRequest> when, int times, Action action) {
            rules.add(new Rule(name, when, times, action));
        }

        private Action match(HttpRequest request) {
            log.add(request.getHttpMethod() + " " + request.getUrl().getPath());
            synchronized (rules) {
                for (Rule r : rules) {
                    if (r.when.test(request) && r.remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        injected.incrementAndGet();
                        return r.action;
                    }
                }
            }
            return null;
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            Action a = match(context.getHttpRequest());
            if (a == null) {
                return next.processSync();
            }
            if (a.forward()) {
                try (HttpResponse real = next.processSync()) {
                    real.getBodyAsBinaryData(); // the service did the work; its answer is dropped
                }
            } else if (a.readBody() && context.getHttpRequest().getBodyAsBinaryData() != null) {
                context.getHttpRequest().getBodyAsBinaryData().toBytes();
            }
            return new ErrorResponse(context.getHttpRequest(), a.status(), a.code());
        }

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            Action a = match(context.getHttpRequest());
            if (a == null) {
                return next.process();
            }
            Mono<HttpResponse> error = Mono.just(new ErrorResponse(context.getHttpRequest(), a.status(), a.code()));
            return a.forward() ? next.process().flatMap(r -> r.getBodyAsByteArray().then(error)) : error;
        }
    }

    /** What the storage service sends for an error: the code in a header and in an XML body. */
    private static final class ErrorResponse extends HttpResponse {
        private final int status;
        private final HttpHeaders headers = new HttpHeaders();
        private final byte[] body;

        ErrorResponse(HttpRequest request, int status, String code) {
            super(request);
            this.status = status;
            this.body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code
                    + "</Code><Message>injected by the test</Message></Error>").getBytes(StandardCharsets.UTF_8);
            headers.set(HttpHeaderName.fromString("x-ms-error-code"), code);
            headers.set(HttpHeaderName.CONTENT_TYPE, "application/xml");
            headers.set(HttpHeaderName.CONTENT_LENGTH, String.valueOf(body.length));
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public String getHeaderValue(String name) {
            return headers.getValue(HttpHeaderName.fromString(name));
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return Flux.just(ByteBuffer.wrap(body));
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return Mono.just(body);
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.just(new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.just(new String(body, charset));
        }
    }
}

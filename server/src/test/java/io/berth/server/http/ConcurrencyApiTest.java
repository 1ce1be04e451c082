package io.berth.server.http;

import static io.berth.server.http.Api.expect;
import static io.berth.server.http.Fixtures.OCI_MANIFEST;
import static io.berth.server.http.Fixtures.bytes;
import static io.berth.server.http.Fixtures.pushBlobs;
import static io.berth.server.http.Fixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.server.http.Fixtures.Image;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Many clients at once: same blob, same manifest, same tag. */
class ConcurrencyApiTest extends ApiTestBase {
    static final int THREADS = 16;
    static final String REPO = "busy/repo";

    ExecutorService pool;

    @BeforeEach
    void pool() {
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void stopPool() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    }

    /** Runs the task on THREADS threads released together; returns the results in thread order. */
    <T> List<T> together(TaskOf<T> task) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(THREADS);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int n = i;
            futures.add(pool.submit((Callable<T>) () -> task.run(n, barrier)));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get(120, TimeUnit.SECONDS));
        }
        return out;
    }

    interface TaskOf<T> {
        T run(int thread, CyclicBarrier barrier) throws Exception;
    }

    @RepeatedTest(3)
    void sameBlobUploadedConcurrently() throws Exception {
        byte[] content = bytes(300_000, 100);
        String d = sha256(content);
        List<Api.Resp> results = together((n, barrier) -> {
            String location = expect(202, api.post("/v2/" + REPO + "/blobs/uploads/", null)).header("Location");
            Api.Resp r = expect(202, api.patch(location, Arrays.copyOf(content, 100_000), "Content-Range", "0-99999"));
            barrier.await();
            return api.put(r.header("Location") + "?digest=" + d, Arrays.copyOfRange(content, 100_000, 300_000));
        });
        for (Api.Resp r : results) {
            assertEquals(201, r.status(), r::toString);
            assertEquals(d, r.header("Docker-Content-Digest"));
        }
        assertArrayEquals(content, expect(200, api.get("/v2/" + REPO + "/blobs/" + d)).body());
        if (srv.onDisk()) {
            assertEquals(List.of("sha256/" + d.substring(7, 9) + "/" + d.substring(7) + "/data"), srv.blobFiles());
            assertArrayEquals(content, Files.readAllBytes(srv.blobData(d)));
            assertEquals(List.of(), srv.files(srv.repoDir(REPO).resolve("_uploads")));
        }
    }

    @Test
    void sameBlobMonolithicallyIntoManyRepositories() throws Exception {
        byte[] content = bytes(50_000, 101);
        String d = sha256(content);
        List<Api.Resp> results = together((n, barrier) -> {
            barrier.await();
            return api.post("/v2/repo" + (n % 4) + "/blobs/uploads/?digest=" + d, content);
        });
        results.forEach(r -> assertEquals(201, r.status(), r::toString));
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(content, expect(200, api.get("/v2/repo" + i + "/blobs/" + d)).body());
        }
        if (srv.onDisk()) {
            assertEquals(1, srv.blobFiles().size(), () -> srv.blobFiles().toString());
        }
    }

    @RepeatedTest(3)
    void sameManifestUnderTheSameTag() throws Exception {
        Image img = Fixtures.ociImage(102);
        pushBlobs(api, REPO, img);
        List<Api.Resp> results = together((n, barrier) -> {
            barrier.await();
            return api.put("/v2/" + REPO + "/manifests/latest", img.manifest(), "Content-Type", OCI_MANIFEST);
        });
        for (Api.Resp r : results) {
            assertEquals(201, r.status(), r::toString);
            assertEquals(img.digest(), r.header("Docker-Content-Digest"));
        }
        Api.Resp r = expect(200, api.get("/v2/" + REPO + "/manifests/latest"));
        assertArrayEquals(img.manifest(), r.body());
        assertEquals(img.digest(), r.header("Docker-Content-Digest"));
        assertEquals(List.of("latest"), List.of(expect(200, api.get("/v2/" + REPO + "/tags/list")).json()
                .get("tags").get(0).asText()));
        if (srv.onDisk()) {
            assertEquals(List.of(img.digest().substring(7) + "/link"),
                    srv.files(srv.repoDir(REPO).resolve("_manifests/tags/latest/index/sha256")));
            assertEquals(img.digest(), Files.readString(srv.repoDir(REPO)
                    .resolve("_manifests/tags/latest/current/link")));
        }
    }

    @RepeatedTest(3)
    void differentManifestsUnderTheSameTag() throws Exception {
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Image img = Fixtures.ociImage(200 + i);
            pushBlobs(api, REPO, img);
            images.add(img);
        }
        List<Api.Resp> results = together((n, barrier) -> {
            barrier.await();
            return api.put("/v2/" + REPO + "/manifests/race", images.get(n).manifest(), "Content-Type", OCI_MANIFEST);
        });
        Set<String> pushed = new TreeSet<>();
        for (int i = 0; i < THREADS; i++) {
            assertEquals(201, results.get(i).status(), results.get(i)::toString);
            assertEquals(images.get(i).digest(), results.get(i).header("Docker-Content-Digest"));
            pushed.add(images.get(i).digest());
        }
        Api.Resp r = expect(200, api.get("/v2/" + REPO + "/manifests/race"));
        String winner = r.header("Docker-Content-Digest");
        assertTrue(pushed.contains(winner), winner);
        assertEquals(winner, sha256(r.body()));
        for (Image img : images) {
            Api.Resp byDigest = expect(200, api.get("/v2/" + REPO + "/manifests/" + img.digest()));
            assertArrayEquals(img.manifest(), byDigest.body());
        }
        if (srv.onDisk()) {
            Set<String> indexed = new TreeSet<>();
            for (String f : srv.files(srv.repoDir(REPO).resolve("_manifests/tags/race/index/sha256"))) {
                indexed.add("sha256:" + f.substring(0, f.indexOf('/')));
            }
            assertEquals(pushed, indexed);
            assertEquals(winner, Files.readString(srv.repoDir(REPO).resolve("_manifests/tags/race/current/link")));
        }
    }

    @RepeatedTest(3)
    void duplicateChunksToOneUpload() throws Exception {
        // clients retrying the same chunk at once: exactly one is appended, the rest are 416
        byte[] content = bytes(64_000, 103);
        String location = expect(202, api.post("/v2/" + REPO + "/blobs/uploads/", null)).header("Location");
        List<Api.Resp> results = together((n, barrier) -> {
            barrier.await();
            return api.patch(location, Arrays.copyOf(content, 32_000), "Content-Range", "0-31999");
        });
        long ok = results.stream().filter(r -> r.status() == 202).count();
        results.forEach(r -> assertTrue(r.status() == 202 || r.status() == 416, r::toString));
        assertEquals(1, ok);
        assertEquals("0-31999", expect(204, api.get(location)).header("Range"));
        expect(202, api.patch(location, Arrays.copyOfRange(content, 32_000, 64_000), "Content-Range", "32000-63999"));
        String d = sha256(content);
        expect(201, api.put(location + "?digest=" + d, null));
        assertArrayEquals(content, expect(200, api.get("/v2/" + REPO + "/blobs/" + d)).body());
    }

    @Test
    void manyRepositoriesAtOnceAllReachTheCatalog() throws Exception {
        Image img = Fixtures.ociImage(104);
        together((n, barrier) -> {
            barrier.await();
            Fixtures.pushImage(api, "team" + n + "/app", "v" + n, img);
            return null;
        });
        Set<String> repos = new TreeSet<>();
        expect(200, api.get("/v2/_catalog")).json().get("repositories").forEach(x -> repos.add(x.asText()));
        assertEquals(THREADS, repos.size(), repos::toString);
        if (srv.onDisk()) {
            // config, layer, manifest: one file each however many pushed them
            assertEquals(3, srv.blobFiles().size(), () -> srv.blobFiles().toString());
        }
    }
}

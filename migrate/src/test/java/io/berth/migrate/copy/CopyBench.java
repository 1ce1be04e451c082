package io.berth.migrate.copy;

import io.berth.core.digest.Digest;
import io.berth.core.digest.Digester;
import io.berth.core.digest.DigestAlgorithm;
import io.berth.core.layout.PathLayout;
import io.berth.core.manifest.MediaTypes;
import io.berth.core.reference.RepositoryName;
import io.berth.core.registry.Registry;
import io.berth.core.registry.Repository;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.StorageDriver;
import io.berth.gc.job.JsonReports;
import io.berth.gc.job.Progress;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A test-only driver of the engine for bench/copy-bench.sh (not a test):
 * <pre>
 * CopyBench generate ROOT TOTAL_MIB BLOB_MIB   a filesystem store of random layers, 4 per image, 1 image per repository
 * CopyBench copy ROOT (fs:DIR | s3proxy) WORKERS   copies it and prints the rate
 * </pre>
 */
public final class CopyBench {
    private CopyBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("generate")) {
            generate(Path.of(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]));
        } else if (args.length == 4 && args[0].equals("copy")) {
            copy(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: CopyBench generate ROOT TOTAL_MIB BLOB_MIB | copy ROOT (fs:DIR|s3proxy) WORKERS");
            System.exit(2);
        }
    }

    private static void generate(Path root, long totalMib, long blobMib) throws Exception {
        Registry registry = new Registry(new FilesystemDriver(root));
        long blobs = Math.max(1, totalMib / blobMib);
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] buf = new byte[1 << 20];
        List<Digest> layers = new ArrayList<>();
        int repo = 0;
        for (long i = 0; i < blobs; i++) {
            Digester h = new Digester(DigestAlgorithm.SHA256);
            String tmp = "/bench-tmp";
            try (FileWriter w = registry.driver().writer(tmp, false)) {
                for (long m = 0; m < blobMib; m++) {
                    for (int k = 0; k < buf.length; k += 8) {
                        long v = rnd.nextLong();
                        for (int j = 0; j < 8; j++) {
                            buf[k + j] = (byte) (v >>> (8 * j));
                        }
                    }
                    h.update(buf, 0, buf.length);
                    w.write(buf);
                }
                w.commit();
            }
            Digest d = h.digest();
            registry.driver().move(tmp, PathLayout.blobData(d));
            layers.add(d);
            if (layers.size() == 4 || i == blobs - 1) {
                Repository r = registry.repository(RepositoryName.of("bench/r" + repo++));
                for (Digest l : layers) {
                    r.linkBlob(l);
                }
                SampleStore.image(r, "bench" + repo, layers, "v1", null);
                layers.clear();
            }
        }
        System.out.println("generated " + blobs + " blobs of " + blobMib + " MiB in " + repo + " repositories under " + root);
    }

    private static void copy(Path root, String to, int workers) throws Exception {
        StorageDriver source = new FilesystemDriver(root);
        S3TestServer server = null;
        StorageDriver destination;
        if (to.startsWith("fs:")) {
            destination = new FilesystemDriver(Path.of(to.substring(3)));
        } else if (to.equals("s3proxy")) {
            server = S3TestServer.start(S3TestServer.Kind.S3PROXY);
            destination = S3Driver.fromParameters(server.driverParameters(server.createBucket(), "/bench"));
        } else {
            throw new IllegalArgumentException("destination: fs:DIR or s3proxy");
        }
        try (Progress progress = Progress.start("copy", "bytes", false)) {
            CopyReport r = new StoreCopier(source, destination, new CopyOptions(workers, false, null, false))
                    .run(progress);
            double mib = r.bytesCopied() / 1048576.0;
            double s = r.durationMillis() / 1000.0;
            System.out.printf("copied %d blobs, %.0f MiB in %.1f s: %.0f MiB/s (clean: %s)%n",
                    r.blobsCopied(), mib, s, mib / s, r.clean());
            if (!r.clean()) {
                System.out.println(JsonReports.mapper().writeValueAsString(r));
            }
        } finally {
            destination.close();
            if (server != null) {
                server.close();
            }
        }
    }
}

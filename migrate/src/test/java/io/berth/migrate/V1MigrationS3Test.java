package io.berth.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.manifest.MediaTypes;
import io.berth.migrate.v1.V1Fixtures;
import io.berth.migrate.v1.V1StoreBuilder;
import io.berth.migrate.v1.V2Image;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3DriverParameters;
import io.berth.storage.s3.S3TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A V1 store in S3 with the V1 registry's key layout ({@code registry/images/<id>/json}, the
 * default {@code storage_path: /registry}), migrated to the filesystem and to S3 (s3proxy).
 */
class V1MigrationS3Test {
    private static S3TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.shared(S3TestServer.Kind.S3PROXY);
    }

    private S3Driver driver(String bucket, String root) {
        return new S3Driver(S3DriverParameters.from(server.driverParameters(bucket, root)));
    }

    @Test
    void v1StoreInS3MigratesToFilesystemAndToS3() throws Exception {
        String v1Bucket = server.createBucket();
        S3Driver src = driver(v1Bucket, "/registry");
        V1StoreBuilder b = new V1StoreBuilder(src, 11);
        List<V1Fixtures.Expected> expected = V1Fixtures.normalStore(b, 10_000);
        List<String> keys = server.admin().listObjectsV2Paginator(r -> r.bucket(v1Bucket)).contents().stream()
                .map(S3Object::key).toList();
        String someId = expected.get(0).chain().get(0);
        assertTrue(keys.contains("registry/images/" + someId + "/json"), "V1 S3 key layout: " + keys.subList(0, 5));
        assertTrue(keys.contains("registry/images/" + someId + "/layer"));
        assertTrue(keys.contains("registry/repositories/library/base/tag_latest"));
        assertTrue(keys.contains("registry/repositories/team/sub%252Fapp/tag_latest"));

        V1Migration.Options o = new V1Migration.Options(4, false, new RepositoryGlob(List.of()), V2Image.Format.DOCKER,
                false, false, V2Image.EmptyLayers.KEEP, true);
        FilesystemDriver fs = new FilesystemDriver(tmp.resolve("v2"));
        MigrationReport r;
        try (JobState js = JobState.open(tmp.resolve("fs.db"))) {
            r = new V1Migration(src, "s3", fs, "fs", o).run(js);
        }
        assertTrue(r.complete(), () -> "" + r.tags());
        for (V1Fixtures.Expected e : expected) {
            MigratedImages.assertMigrated(fs, b, e, MediaTypes.DOCKER_MANIFEST);
        }

        S3Driver s3dst = driver(server.createBucket(), "/v2root");
        MigrationReport r2;
        try (JobState js = JobState.open(tmp.resolve("s3.db"))) {
            r2 = new V1Migration(src, "s3", s3dst, "s3dst", o).run(js);
        }
        assertEquals(expected.size(), r2.summary().tagsMigrated());
        for (V1Fixtures.Expected e : expected) {
            MigratedImages.assertMigrated(s3dst, b, e, MediaTypes.DOCKER_MANIFEST);
        }
        assertEquals(MigratedImages.tree(fs), MigratedImages.tree(s3dst), "same store whichever backend it lands on");
        src.close();
        s3dst.close();
    }
}

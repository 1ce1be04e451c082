package io.berth.gc;

import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3TestServer;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scenarios of {@link GarbageCollectorTest} on real S3 servers (S3Mock and s3proxy): flat
 * prefix walks, prefix deletes and S3's LastModified times take the places of directories and
 * mtimes, and gc must decide and delete exactly the same things.
 */
class S3GcTest {

    static S3Driver driver(S3TestServer.Kind kind) throws Exception {
        S3TestServer server = S3TestServer.shared(kind);
        Map<String, Object> params = server.driverParameters(server.createBucket(), "/registry");
        return S3Driver.fromParameters(params);
    }

    @ParameterizedTest
    @EnumSource(S3TestServer.Kind.class)
    void keepsEveryRevisionAndDeletesUnreferencedBlobsLinksAndOldUploads(S3TestServer.Kind kind) throws Exception {
        try (S3Driver d = driver(kind)) {
            GarbageCollectorTest.plainScenario(d);
        }
    }

    @ParameterizedTest
    @EnumSource(S3TestServer.Kind.class)
    void deleteUntaggedKeepsIndexChildrenAndReferrersAndPrunesEmptyRepositories(S3TestServer.Kind kind) throws Exception {
        try (S3Driver d = driver(kind)) {
            GarbageCollectorTest.deleteUntaggedScenario(d);
        }
    }
}

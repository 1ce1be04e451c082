package io.berth.migrate.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.storage.StorageDriver;
import io.berth.gc.job.JsonReports;
import io.berth.storage.azure.AzureDriver;
import io.berth.storage.azure.AzuriteServer;
import io.berth.storage.filesystem.FilesystemDriver;
import io.berth.storage.s3.S3Driver;
import io.berth.storage.s3.S3TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * filesystem → S3 (s3proxy) → Azure (Azurite) → filesystem: every hop ends with the same files,
 * byte for byte, as the store it copied (uploads excepted), and running a hop again copies nothing.
 */
class CopyRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripThroughEveryBackendEndsWithAnIdenticalTree() throws Exception {
        FilesystemDriver start = new FilesystemDriver(tmp.resolve("start"));
        SampleStore.build(start);
        SortedMap<String, String> tree = Trees.of(start);
        int blobs = SampleStore.blobCount(start);

        S3TestServer s3server = S3TestServer.shared(S3TestServer.Kind.S3PROXY);
        String bucket = s3server.createBucket();
        AzuriteServer azurite = AzuriteServer.shared();
        String container = azurite.newContainer();
        Map<String, Object> azureParams = azurite.parameters(container);
        azureParams.put("rootdirectory", "/copied/");
        FilesystemDriver end = new FilesystemDriver(tmp.resolve("end"));

        try (StorageDriver s3 = S3Driver.fromParameters(s3server.driverParameters(bucket, "/copied/registry"));
             StorageDriver azure = AzureDriver.fromParameters(azureParams)) {
            // the 17 MiB layer goes up in two parts (chunksize 10 MiB); S3MultipartCopyTest shows it on S3Mock,
            // whose ETags tell, where s3proxy gives every object a plain MD5
            hop(start, s3, tree, blobs, false);

            hop(s3, azure, tree, blobs, true);
            hop(azure, end, tree, blobs, false);
        } finally {
            azurite.deleteContainer(container);
        }
        assertEquals(tree, Trees.of(end), "the round trip ends where it started");
    }

    /** Copies, checks the trees match and the report adds up, then copies again: nothing new. */
    private static void hop(StorageDriver from, StorageDriver to, SortedMap<String, String> tree, int blobs,
                            boolean verify) throws Exception {
        CopyReport first = new StoreCopier(from, to, new CopyOptions(4, false, null, verify)).run(null);
        assertTrue(first.clean(), () -> from + " → " + to + ": " + json(first));
        assertEquals(tree, Trees.of(to), from + " → " + to);
        assertEquals(3, first.repositories());
        assertEquals(blobs, first.blobsCopied());
        assertEquals(0, first.blobsSkipped());
        // 3.18, 3.19, latest, v1, stable, big, tools:v1
        assertEquals(7, first.tagsCopied());
        // alpine 2, app 2 images + index + signature + big, tools 1
        assertEquals(8, first.manifestsCopied());

        CopyReport again = new StoreCopier(from, to, new CopyOptions(4, false, null, verify)).run(null);
        assertTrue(again.clean(), () -> json(again));
        assertEquals(0, again.blobsCopied(), () -> json(again));
        assertEquals(0, again.bytesCopied());
        assertEquals(blobs, again.blobsSkipped());
        assertEquals(0, again.tagsCopied());
        assertEquals(7, again.tagsSkipped());
        assertEquals(0, again.manifestsCopied());
        assertEquals(8, again.manifestsSkipped());
        assertEquals(0, again.layerLinksCopied());
        assertEquals(tree, Trees.of(to));
    }

    static String json(CopyReport r) {
        try {
            return JsonReports.mapper().writeValueAsString(r);
        } catch (Exception e) {
            return r.toString();
        }
    }
}

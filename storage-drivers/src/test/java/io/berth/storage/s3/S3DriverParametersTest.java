package io.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** config.yml's storage.s3 parameters: distribution's keys, defaults and bounds; errors name the key. */
class S3DriverParametersTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> m = new HashMap<>();
        m.put("region", "eu-west-1");
        m.put("bucket", "registry");
        return m;
    }

    private static String error(Map<String, Object> m) {
        return assertThrows(IllegalArgumentException.class, () -> S3DriverParameters.from(m)).getMessage();
    }

    @Test
    void defaultsAreDistributions() {
        S3DriverParameters p = S3DriverParameters.from(minimal());
        assertEquals("registry", p.bucket());
        assertEquals("eu-west-1", p.region());
        assertEquals(10 * 1024 * 1024, p.chunkSize());
        assertEquals(32L * 1024 * 1024, p.multipartCopyChunkSize());
        assertEquals(100, p.multipartCopyMaxConcurrency());
        assertEquals(32L * 1024 * 1024, p.multipartCopyThresholdSize());
        assertEquals("STANDARD", p.storageClass());
        assertTrue(p.secure());
        assertFalse(p.forcePathStyle());
        assertFalse(p.encrypt());
        assertFalse(p.skipVerify());
        assertNull(p.accessKey());
        assertNull(p.regionEndpoint());
        assertNull(p.objectAcl());
        assertEquals("", p.keyPrefix());
    }

    @Test
    void valuesAsYamlGivesThem() {
        Map<String, Object> m = minimal();
        m.put("accesskey", "AKIA");
        m.put("secretkey", "secret");
        m.put("regionendpoint", "minio.local:9000");
        m.put("secure", "false");
        m.put("encrypt", true);
        m.put("keyid", "arn:aws:kms:key");
        m.put("chunksize", "5242880");
        m.put("multipartcopychunksize", 33554432L);
        m.put("multipartcopymaxconcurrency", 4);
        m.put("multipartcopythresholdsize", 0);
        m.put("rootdirectory", "/registry/root/");
        m.put("storageclass", "reduced_redundancy");
        m.put("objectacl", "bucket-owner-full-control");
        m.put("useragent", "berth-test");
        m.put("v4auth", true);
        m.put("loglevel", false); // YAML 1.1's reading of "off"
        m.put("usedualstack", "f");
        m.put("accelerate", "FALSE");
        S3DriverParameters p = S3DriverParameters.from(m);
        assertEquals(URI.create("http://minio.local:9000"), p.endpointUri());
        assertTrue(p.forcePathStyle(), "path-style by default with a regionendpoint");
        assertFalse(p.secure());
        assertEquals(5 * 1024 * 1024, p.chunkSize());
        assertEquals(4, p.multipartCopyMaxConcurrency());
        assertEquals(0, p.multipartCopyThresholdSize());
        assertEquals("REDUCED_REDUNDANCY", p.storageClass());
        assertEquals("bucket-owner-full-control", p.objectAcl());
        assertEquals("registry/root/", p.keyPrefix());
        assertFalse(p.toString().contains("secret"), p.toString());

        m.put("forcepathstyle", false);
        m.put("storageclass", "NONE");
        p = S3DriverParameters.from(m);
        assertFalse(p.forcePathStyle(), "an explicit false wins");
        assertNull(p.storageClass(), "NONE sends no storage class");
    }

    @Test
    void regionMayBeOmittedOnlyWithAnEndpoint() {
        Map<String, Object> m = minimal();
        m.remove("region");
        assertEquals("storage.s3.region: missing; required unless regionendpoint is set", error(m));
        m.put("region", "mars-north-1");
        assertEquals("storage.s3.region: unknown region mars-north-1", error(m));
        m.remove("region");
        m.put("regionendpoint", "http://127.0.0.1:9000");
        assertEquals("us-east-1", S3DriverParameters.from(m).region());
    }

    @Test
    void errorsNameTheKey() {
        record Case(String key, Object value, String message) {
        }
        for (Case c : List.of(
                new Case("bucket", null, "storage.s3.bucket: missing"),
                new Case("bucket", "", "storage.s3.bucket: missing"),
                new Case("bukket", "x", "storage.s3.bukket: unknown parameter"),
                new Case("chunksize", 1024, "storage.s3.chunksize: 1024 is out of range"),
                new Case("chunksize", "ten", "storage.s3.chunksize: must be an integer"),
                new Case("multipartcopychunksize", 6L << 30, "storage.s3.multipartcopychunksize: "),
                new Case("multipartcopymaxconcurrency", 0, "storage.s3.multipartcopymaxconcurrency: 0 is out of range"),
                new Case("multipartcopythresholdsize", -1, "storage.s3.multipartcopythresholdsize: -1 is out"),
                new Case("secure", "maybe", "storage.s3.secure: must be a boolean"),
                new Case("encrypt", 1, "storage.s3.encrypt: must be a boolean"),
                new Case("storageclass", "GLACIER", "storage.s3.storageclass: must be one of"),
                new Case("objectacl", "everyone", "storage.s3.objectacl: must be one of"),
                new Case("loglevel", "chatty", "storage.s3.loglevel: must be one of"),
                new Case("regionendpoint", "ftp://host", "storage.s3.regionendpoint: not an http(s) URL"),
                new Case("rootdirectory", "/a b", "storage.s3.rootdirectory: must be"),
                new Case("v4auth", false, "storage.s3.v4auth: on Amazon S3 only v4"),
                new Case("accesskey", "AKIA", "storage.s3.secretkey: missing"))) {
            Map<String, Object> m = minimal();
            if (c.value() == null) {
                m.remove(c.key());
            } else {
                m.put(c.key(), c.value());
            }
            String message = error(m);
            assertTrue(message.startsWith(c.message()), c + " gave: " + message);
        }
    }

    @Test
    void driverIsBuiltFromParametersWithoutTouchingTheNetwork() {
        Map<String, Object> m = minimal();
        m.put("accesskey", "AKIA");
        m.put("secretkey", "secret");
        try (S3Driver d = S3Driver.fromParameters(m)) {
            assertEquals("s3", d.name());
            assertEquals("a/b", d.key("/a/b"));
        }
        m.put("rootdirectory", "//root//");
        try (S3Driver d = S3Driver.fromParameters(m)) {
            assertEquals("root/a/b", d.key("/a/b"));
        }
    }

    @Test
    void s3PathIsDistributions() {
        assertEquals("", S3Driver.s3Path("", "/"));
        assertEquals("a", S3Driver.s3Path("", "/a"));
        assertEquals("root/", S3Driver.s3Path("/root", "/"));
        assertEquals("root/a", S3Driver.s3Path("/root/", "/a"));
        assertEquals("r/o/a/b", S3Driver.s3Path("r/o//", "/a/b"));
        assertEquals("a", S3Driver.s3Path("/", "/a"));
    }
}

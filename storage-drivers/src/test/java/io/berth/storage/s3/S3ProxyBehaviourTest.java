package io.berth.storage.s3;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.core.storage.StorageException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The S3-specific behaviour against s3proxy, which, unlike S3Mock, checks signatures. */
class S3ProxyBehaviourTest extends S3DriverBehaviour {
    private static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.shared(S3TestServer.Kind.S3PROXY);
    }

    @Override
    protected S3TestServer server() {
        return server;
    }

    @Test
    void checkAccessNamesTheAccessKeyWhenCredentialsAreWrong() {
        Map<String, Object> p = params();
        p.put("secretkey", "not-the-secret");
        StorageException e = assertThrows(StorageException.class, () -> driver(p).checkAccess());
        assertTrue(e.getMessage().startsWith("storage.s3.accesskey: access denied"), e.getMessage());
    }
}

package io.berth.storage.azure;

import io.berth.core.storage.StorageDriver;
import io.berth.storage.DriverTestSuite;
import java.util.Map;

/**
 * The shared suite against Azurite, a fresh container per test. The driver has a rootdirectory
 * so that every name goes through the prefix mapping.
 */
class AzureDriverTest extends DriverTestSuite {
    private String containerName;

    @Override
    protected boolean walkReportsContentMd5() {
        return true;
    }

    @Override
    protected StorageDriver newDriver() throws Exception {
        AzuriteServer azurite = AzuriteServer.shared();
        containerName = azurite.newContainer();
        Map<String, Object> p = azurite.parameters(containerName);
        p.put("rootdirectory", "/berth/root/");
        return AzureDriver.fromParameters(p);
    }

    @Override
    protected void cleanup(StorageDriver driver) throws Exception {
        driver.close();
        AzuriteServer.shared().deleteContainer(containerName);
    }
}

package io.berth.storage.inmemory;

import io.berth.core.storage.StorageDriver;
import io.berth.storage.DriverTestSuite;

class InMemoryDriverTest extends DriverTestSuite {
    @Override
    protected StorageDriver newDriver() {
        return new InMemoryDriver();
    }
}

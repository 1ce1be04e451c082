package io.berth.gc.sweep;

import java.io.IOException;

/** Called before each deletion; blocks while deleting is not yet safe (see {@code GcLease}). */
@FunctionalInterface
public interface DeletionFence {
    DeletionFence NONE = () -> { };

    void await() throws IOException;
}

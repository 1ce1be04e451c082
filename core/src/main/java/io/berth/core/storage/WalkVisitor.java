package io.berth.core.storage;

import java.io.IOException;

/** Called for each path a walk reaches; the answer steers the walk. */
@FunctionalInterface
public interface WalkVisitor {

    enum Result { CONTINUE, SKIP_DIR, STOP }

    Result visit(FileInfo info) throws IOException;
}

package io.berth.core.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a file in pieces. {@link #commit()} makes the content durable and visible at its path;
 * {@link #close()} without commit keeps what was written so a later {@code writer(path, true)}
 * can continue it; {@link #cancel()} discards it.
 */
public abstract class FileWriter extends OutputStream {

    /** Bytes in the file: what an appending writer started from plus what was written since. */
    public abstract long size();

    public abstract void commit() throws IOException;

    public abstract void cancel() throws IOException;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }
}

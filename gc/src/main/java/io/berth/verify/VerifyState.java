package io.berth.verify;

import io.berth.core.digest.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;

/**
 * The history {@code --incremental} skips by: one row per blob that hashed to its digest, with
 * its size and when. A corrupt blob's row is removed, so it is never skipped. Rows are committed
 * in batches, so an interrupted run keeps what it verified. One connection, used under this
 * object's lock: the rows are tiny next to the hashing, so contention does not matter.
 */
final class VerifyState implements AutoCloseable {
    /** A blob's last successful verification. */
    record Entry(long size, Instant verifiedAt) {
    }

    private static final int BATCH = 500;

    private final Path file;
    private final Connection db;
    private final PreparedStatement select;
    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private int pending;

    private VerifyState(Path file, Connection db) throws SQLException {
        this.file = file;
        this.db = db;
        select = db.prepareStatement("SELECT size, verified_at FROM verified WHERE digest = ?");
        upsert = db.prepareStatement("INSERT INTO verified (digest, size, verified_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (digest) DO UPDATE SET size = excluded.size, verified_at = excluded.verified_at");
        delete = db.prepareStatement("DELETE FROM verified WHERE digest = ?");
    }

    /** Opens (creating if needed) the state file; a file that is not a verify state is refused. */
    static VerifyState open(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Connection db = null;
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + abs);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS verified (digest TEXT PRIMARY KEY NOT NULL,"
                        + " size INTEGER NOT NULL, verified_at INTEGER NOT NULL) WITHOUT ROWID");
            }
            db.setAutoCommit(false);
            return new VerifyState(abs, db);
        } catch (SQLException e) {
            closeQuietly(db);
            throw new IOException("state file " + abs + " cannot be used: " + e.getMessage(), e);
        }
    }

    synchronized Optional<Entry> lookup(Digest d) throws IOException {
        try {
            select.setString(1, d.toString());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Entry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2))));
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    synchronized void verified(Digest d, long size, Instant at) throws IOException {
        try {
            upsert.setString(1, d.toString());
            upsert.setLong(2, size);
            upsert.setLong(3, at.toEpochMilli());
            upsert.executeUpdate();
            maybeCommit();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    synchronized void forget(Digest d) throws IOException {
        try {
            delete.setString(1, d.toString());
            delete.executeUpdate();
            maybeCommit();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private void maybeCommit() throws SQLException {
        if (++pending >= BATCH) {
            db.commit();
            pending = 0;
        }
    }

    private IOException failure(SQLException e) {
        return new IOException("state file " + file + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            db.commit();
            select.close();
            upsert.close();
            delete.close();
            db.close();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
        }
    }
}

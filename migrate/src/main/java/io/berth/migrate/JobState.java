package io.berth.migrate;

import io.berth.core.digest.Digest;
import io.berth.migrate.v1.Compression;
import io.berth.migrate.v1.ConvertedLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The migration's job state in SQLite, so a run killed anywhere resumes: per V1 image the layer
 * it became (digest, size, diff_id), recorded once its blob is committed and reused ever after,
 * so a re-run never computes a second digest for the same V1 image; per tag the manifest it
 * points at. WAL with synchronous=NORMAL survives a killed process (not a power cut, which
 * only costs recomputation: conversion is deterministic).
 */
public final class JobState implements AutoCloseable {
    private final Connection db;

    private JobState(Connection db) {
        this.db = db;
    }

    /**
     * Loads SQLite's native library in a daemon thread: sqlite-jdbc extracts and checks it on every
     * start (a few hundred ms), which can then overlap the scan of the source. {@link #open} waits
     * for it if it is still under way, and reports any failure itself.
     */
    public static void preload() {
        Thread t = new Thread(() -> {
            try {
                org.sqlite.SQLiteJDBCLoader.initialize();
            } catch (Exception | LinkageError e) {
                // open() fails with the reason
            }
        }, "sqlite-preload");
        t.setDaemon(true);
        t.start();
    }

    public static JobState open(Path file) throws IOException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=10000");
                s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS layers(v1_id TEXT PRIMARY KEY, digest TEXT NOT NULL,"
                        + " size INTEGER NOT NULL, diff_id TEXT NOT NULL, stored_as TEXT NOT NULL,"
                        + " entries INTEGER NOT NULL, warnings TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS tags(repository TEXT NOT NULL, tag TEXT NOT NULL,"
                        + " image_id TEXT NOT NULL, manifest TEXT NOT NULL, PRIMARY KEY(repository, tag))");
                s.execute("CREATE TABLE IF NOT EXISTS staging(path TEXT PRIMARY KEY)");
            }
            return new JobState(c);
        } catch (SQLException e) {
            throw new IOException("job state " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Binds the state file to one migration: a state written for another source, destination or
     * format would skip work that was never done there, so it is refused.
     */
    public synchronized void bind(String key, String value) throws IOException {
        try {
            Optional<String> old = meta(key);
            if (old.isPresent() && !old.get().equals(value)) {
                throw new StateMismatchException("the job state was written for " + key + " " + old.get()
                        + ", not " + value + "; use another --state file");
            }
            if (old.isEmpty()) {
                try (PreparedStatement p = db.prepareStatement("INSERT INTO meta(key, value) VALUES (?, ?)")) {
                    p.setString(1, key);
                    p.setString(2, value);
                    p.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    public static final class StateMismatchException extends IOException {
        StateMismatchException(String message) {
            super(message);
        }
    }

    private Optional<String> meta(String key) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    public synchronized Optional<ConvertedLayer> layer(String v1Id) throws IOException {
        try (PreparedStatement p = db.prepareStatement(
                "SELECT digest, size, diff_id, stored_as, entries, warnings FROM layers WHERE v1_id = ?")) {
            p.setString(1, v1Id);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                String w = r.getString(6);
                List<io.berth.migrate.v1.Anomaly.Kind> warnings = w.isEmpty() ? List.of()
                        : java.util.Arrays.stream(w.split(",")).map(io.berth.migrate.v1.Anomaly.Kind::valueOf).toList();
                return Optional.of(new ConvertedLayer(v1Id, Digest.parse(r.getString(1)), r.getLong(2),
                        Digest.parse(r.getString(3)), Compression.valueOf(r.getString(4)), r.getLong(5), warnings));
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    public synchronized void recordLayer(ConvertedLayer l) throws IOException {
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO layers"
                + "(v1_id, digest, size, diff_id, stored_as, entries, warnings) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, l.v1Id());
            p.setString(2, l.digest().toString());
            p.setLong(3, l.size());
            p.setString(4, l.diffId().toString());
            p.setString(5, l.storedAs().name());
            p.setLong(6, l.entries());
            p.setString(7, String.join(",", l.warnings().stream().map(Enum::name).toList()));
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    /** The manifest digest a tag was migrated to, with the V1 image it came from. */
    public record TagDone(String imageId, Digest manifest) {
    }

    public synchronized Optional<TagDone> tag(String repository, String tag) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT image_id, manifest FROM tags WHERE repository = ? AND tag = ?")) {
            p.setString(1, repository);
            p.setString(2, tag);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(new TagDone(r.getString(1), Digest.parse(r.getString(2)))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    public synchronized void recordTag(String repository, String tag, String imageId, Digest manifest) throws IOException {
        try (PreparedStatement p = db.prepareStatement(
                "INSERT OR REPLACE INTO tags(repository, tag, image_id, manifest) VALUES (?, ?, ?, ?)")) {
            p.setString(1, repository);
            p.setString(2, tag);
            p.setString(3, imageId);
            p.setString(4, manifest.toString());
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    /** Staging uploads in flight, so a resumed run removes what a killed one left behind. */
    public synchronized void staging(String path, boolean active) throws IOException {
        try (PreparedStatement p = db.prepareStatement(active
                ? "INSERT OR IGNORE INTO staging(path) VALUES (?)" : "DELETE FROM staging WHERE path = ?")) {
            p.setString(1, path);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    public synchronized List<String> stagingPaths() throws IOException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT path FROM staging")) {
            List<String> out = new java.util.ArrayList<>();
            while (r.next()) {
                out.add(r.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }
}

package io.berth.storage.filesystem;

import io.berth.core.storage.FileInfo;
import io.berth.core.storage.FileWriter;
import io.berth.core.storage.InvalidOffsetException;
import io.berth.core.storage.InvalidPathException;
import io.berth.core.storage.PathNotFoundException;
import io.berth.core.storage.StorageDriver;
import io.berth.core.storage.StorageException;
import io.berth.core.storage.StoragePaths;
import io.berth.core.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Stores each path as the file {@code <root>/<path>}, the same tree distribution's filesystem
 * driver writes, so either registry can serve the other's data.
 */
public final class FilesystemDriver implements StorageDriver {
    /** Prefix of putContent's temp files; list skips them so half-written files never show. */
    static final String TEMP_PREFIX = ".tmp-";
    /** Heap arrays are written in slices so the JDK's per-thread temp direct buffers stay small. */
    static final int IO_SLICE = 64 * 1024;

    private final Path root;

    public FilesystemDriver(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public void checkAccess() throws IOException {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new StorageException("/", "storage.filesystem.rootdirectory: cannot create " + root + ": " + e);
        }
        if (!Files.isWritable(root)) {
            throw new StorageException("/", "storage.filesystem.rootdirectory: " + root + " is not writable");
        }
    }

    @Override
    public String name() {
        return "filesystem";
    }

    private Path resolve(String path) throws InvalidPathException {
        return root.resolve(StoragePaths.check(path).substring(1));
    }

    @Override
    public byte[] getContent(String path) throws IOException {
        Path file = resolve(path);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readToEnd(ch); // open, read, read, close: gc reads every link and manifest
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new PathNotFoundException(path); // a directory holds no content of its own
            }
            throw notFound(path, file, e);
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        Path target = resolve(path);
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(ch, content, 0, content.length);
                ch.force(false);
            }
            // rename(2) replaces the target in one step: readers see the old file or the new one.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    static void writeFully(FileChannel ch, byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            ByteBuffer buf = ByteBuffer.wrap(b, off, Math.min(len, IO_SLICE));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            int n = buf.position() - off;
            off += n;
            len -= n;
        }
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        Path file = resolve(path);
        if (offset < 0) {
            throw new InvalidOffsetException(path, offset);
        }
        if (Files.isDirectory(file)) {
            throw new PathNotFoundException(path); // a directory holds no content of its own
        }
        FileChannel ch = open(path, file);
        try {
            if (offset > 0) { // from the start, neither fstat nor lseek: gc reads every manifest so
                if (offset > ch.size()) {
                    throw new InvalidOffsetException(path, offset);
                }
                ch.position(offset);
            }
            return Channels.newInputStream(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The rest of a file, read until EOF without asking its size first (Files.readAllBytes
     * fstat's the file): a link file takes one read and the read that sees EOF.
     */
    private static byte[] readToEnd(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf) >= 0) {
            if (!buf.hasRemaining()) {
                if (buf.capacity() >= MAX_ARRAY) {
                    throw new IOException("file too large to read into memory");
                }
                ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(MAX_ARRAY, 2L * buf.capacity()));
                bigger.put(buf.flip());
                buf = bigger;
            }
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static FileChannel open(String path, Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw notFound(path, file, e);
        }
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        Path file = resolve(path);
        Files.createDirectories(file.getParent());
        return new FilesystemWriter(file, append);
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        Path file = resolve(path);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw notFound(path, file, e);
        }
        boolean dir = attrs.isDirectory();
        return new FileInfo(path, dir ? 0 : attrs.size(), attrs.lastModifiedTime().toInstant(), dir);
    }

    @Override
    public List<String> list(String path) throws IOException {
        StoragePaths.checkDir(path);
        Path dir = "/".equals(path) ? root : root.resolve(path.substring(1));
        String[] names;
        try {
            names = names(path, dir);
        } catch (PathNotFoundException e) {
            if ("/".equals(path)) {
                return List.of(); // nothing stored yet: the root is created by the first write
            }
            throw e;
        }
        List<String> children = new ArrayList<>(names.length);
        for (String name : names) {
            children.add(StoragePaths.join(path, name));
        }
        return children;
    }

    /**
     * The SPI's walk (depth-first, each directory's entries in lexical order) without going
     * through {@link #list} and {@link #stat} per entry: one readdir per directory and one stat
     * per entry, and in a digest fan-out the visitor names ({@link WalkVisitor#onlyFileOfEachEntry})
     * one stat per file instead of a stat, a listing and a stat.
     */
    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        StoragePaths.checkDir(path);
        Path dir = "/".equals(path) ? root : root.resolve(path.substring(1));
        String[] names;
        try {
            names = names(path, dir);
        } catch (PathNotFoundException e) {
            if ("/".equals(path)) {
                return; // nothing stored yet
            }
            throw e;
        }
        walk("/".equals(path) ? "" : path, dir, names, visitor);
    }

    /** False when the visitor said STOP. */
    private boolean walk(String path, Path dir, String[] names, WalkVisitor visitor) throws IOException {
        String dirPath = path.isEmpty() ? "/" : path;
        List<String> wanted = visitor.filesOfEachEntry(dirPath);
        String leaf = wanted == null ? null : wanted.get(0);
        boolean unstated = leaf != null && wanted.size() == 1 && visitor.namesSuffice(dirPath);
        for (String name : names) {
            String childPath = path + "/" + name;
            Path child = dir.resolve(name);
            if (unstated) {
                if (visitor.visit(FileInfo.unstated(childPath + "/" + leaf)) == WalkVisitor.Result.STOP) {
                    return false;
                }
                continue;
            }
            if (leaf != null) {
                BasicFileAttributes file = fileAttributes(child.resolve(leaf));
                if (file != null) {
                    WalkVisitor.Result r = visitor.visit(new FileInfo(childPath + "/" + leaf, file.size(),
                            file.lastModifiedTime().toInstant(), false));
                    if (r == WalkVisitor.Result.STOP) {
                        return false;
                    }
                    for (int i = 1; i < wanted.size(); i++) {
                        if (!walkMatching(childPath, child, wanted.get(i).split("/"), 0, visitor)) {
                            return false;
                        }
                    }
                    continue;
                }
            }
            if (!walkEntry(childPath, child, visitor)) {
                return false;
            }
        }
        return true;
    }

    /** One entry as a walk without shortcuts sees it: stat'ed, visited and, if a directory, walked. False on STOP. */
    private boolean walkEntry(String childPath, Path child, WalkVisitor visitor) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(child, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return true; // deleted while we walked
        }
        boolean isDir = attrs.isDirectory();
        WalkVisitor.Result r = visitor.visit(new FileInfo(childPath, isDir ? 0 : attrs.size(),
                attrs.lastModifiedTime().toInstant(), isDir));
        if (r == WalkVisitor.Result.STOP) {
            return false;
        }
        if (isDir && r != WalkVisitor.Result.SKIP_DIR) {
            String[] below;
            try {
                below = names(childPath, child);
            } catch (PathNotFoundException e) {
                return true; // deleted (or replaced by a file) while we walked
            }
            return walk(childPath, child, below, visitor);
        }
        return true;
    }

    /**
     * Visits the files below {@code dir} that the relative path {@code parts[at..]} names, a
     * {@code *} component matching every name (see {@link WalkVisitor#filesOfEachEntry}): one
     * listing per {@code *} directory and one stat per file, none for the directories between.
     * False when the visitor said STOP.
     */
    private boolean walkMatching(String path, Path dir, String[] parts, int at, WalkVisitor visitor)
            throws IOException {
        String[] names;
        if (parts[at].equals("*")) {
            try {
                names = names(path, dir);
            } catch (PathNotFoundException e) {
                return true; // nothing there
            }
        } else {
            names = new String[] {parts[at]};
        }
        // "*/<file>" at the end is a digest fan-out: an entry without that file is walked as usual,
        // as onlyFileOfEachEntry's are, so what does not fit the layout is still seen
        boolean fanOut = at == parts.length - 2 && parts[at].equals("*") && !parts[at + 1].equals("*");
        for (String name : names) {
            String childPath = path + "/" + name;
            Path child = dir.resolve(name);
            if (fanOut) {
                String leaf = parts[at + 1];
                BasicFileAttributes file = fileAttributes(child.resolve(leaf));
                if (file == null ? !walkEntry(childPath, child, visitor) : visitor.visit(new FileInfo(
                        childPath + "/" + leaf, file.size(), file.lastModifiedTime().toInstant(), false))
                        == WalkVisitor.Result.STOP) {
                    return false;
                }
            } else if (at < parts.length - 1) {
                if (!walkMatching(childPath, child, parts, at + 1, visitor)) {
                    return false;
                }
            } else {
                BasicFileAttributes file = fileAttributes(child);
                if (file == null ? !walkEntry(childPath, child, visitor) : visitor.visit(new FileInfo(
                        childPath, file.size(), file.lastModifiedTime().toInstant(), false))
                        == WalkVisitor.Result.STOP) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A regular file's attributes, or null if there is none at that path (or it is not a file). */
    private static BasicFileAttributes fileAttributes(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.isDirectory() ? null : a;
        } catch (IOException e) {
            return null; // missing, or a parent is a file: the caller walks the entry as usual
        }
    }

    /**
     * The entries of a directory, sorted, without putContent's temp files. java.io's list costs
     * opendir, getdents and close; a NIO DirectoryStream adds a dup, an fstat and an fcntl, which
     * per directory is most of a walk's system calls.
     */
    private static String[] names(String path, Path dir) throws IOException {
        String[] all = dir.toFile().list();
        if (all == null) {
            // missing, not a directory, or unreadable: NIO says which
            try (DirectoryStream<Path> ignored = Files.newDirectoryStream(dir)) {
                all = dir.toFile().list(); // created meanwhile
            } catch (IOException e) {
                throw notFound(path, dir, e);
            }
            if (all == null) {
                throw new IOException("cannot list " + dir);
            }
        }
        int n = 0;
        for (String name : all) {
            if (!name.startsWith(TEMP_PREFIX)) {
                all[n++] = name;
            }
        }
        String[] out = n == all.length ? all : Arrays.copyOf(all, n);
        Arrays.sort(out);
        return out;
    }

    @Override
    public void move(String sourcePath, String destPath) throws IOException {
        Path src = resolve(sourcePath);
        Path dst = resolve(destPath);
        if (!Files.exists(src)) {
            throw new PathNotFoundException(sourcePath);
        }
        Files.createDirectories(dst.getParent());
        try {
            Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            if (!Files.exists(src)) {
                throw new PathNotFoundException(sourcePath); // moved or deleted by someone else meanwhile
            }
            throw e;
        }
    }

    @Override
    public void delete(String path) throws IOException {
        Path target = resolve(path);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new PathNotFoundException(path);
        }
        Files.walkFileTree(target, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // a concurrent delete got there first
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Each entry's file, then its directory, removed directly: two system calls an entry, where
     * {@link #delete} of the directory costs a stat, a listing and a stat before each removal
     * (gc deletes tens of thousands of entries). A directory that still holds anything else (a
     * stray file, a writer's temp file) is then deleted as a tree, as the SPI's default does.
     */
    @Override
    public void deleteEntries(List<String> files) throws IOException {
        for (String f : files) {
            String dirPath = f.substring(0, Math.max(0, f.lastIndexOf('/')));
            Path dir = resolve(dirPath); // a file directly under the root has no entry directory
            Path file = resolve(f);
            // java.io's delete is one unlink (rmdir for a directory); false when the file is gone
            // already or cannot go alone, and the directory's removal below then decides
            file.toFile().delete();
            if (!dir.toFile().delete()) {
                try {
                    delete(dirPath); // not empty, or gone: delete checks which
                } catch (PathNotFoundException gone) {
                    // deleted meanwhile: nothing to do
                }
            }
        }
    }

    @Override
    public Optional<Path> localFile(String path) {
        try {
            Path file = resolve(path);
            return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty(); // the SPI method cannot throw; an invalid path has no file
        }
    }

    /**
     * Maps "no such file" and "a parent is not a directory" (ENOTDIR, which Java reports as a
     * plain FileSystemException) to PathNotFoundException, as distribution does.
     */
    private static IOException notFound(String path, Path file, IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException
                || (e instanceof FileSystemException && !Files.exists(file))) {
            PathNotFoundException pnf = new PathNotFoundException(path);
            pnf.initCause(e);
            return pnf;
        }
        return e;
    }

    @Override
    public String toString() {
        return "filesystem(" + root + ")";
    }
}

package io.berth.gc.job;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Worker pools for the long jobs. Object stores answer each call in tens of milliseconds, so
 * throughput comes from many calls in flight; a local disk is bound by its cores.
 */
public final class Workers {
    private Workers() {
    }

    /** The default {@code --workers} for a driver (its config.yml name). */
    public static int defaultFor(String driverName) {
        return switch (driverName) {
            case "s3", "azure" -> 64;
            default -> Math.max(2, Runtime.getRuntime().availableProcessors());
        };
    }

    /**
     * gc's default {@code --workers}. On a local disk gc mostly deletes, and a deletion waits in
     * the kernel (journal, directory locks) longer than it computes: 12,000 blob entries took 6.1 s
     * one at a time and 4.3 s on 16 threads on the bench machine, so more threads than cores keep
     * the disk busy (bench/gc-bench.sh at 2,000/20,000/100,000: 18.6 s on 2 workers, 15.3 s on 8).
     */
    public static int gcDefaultFor(String driverName) {
        int n = defaultFor(driverName);
        return "filesystem".equals(driverName) ? Math.max(8, 4 * n) : n;
    }

    /**
     * A pool of {@code n} threads: platform threads here, since the jobs bound their concurrency
     * by {@code --workers} anyway; virtual threads (Java 21+) when available, which cost nothing
     * while they wait on the network.
     */
    public static ExecutorService pool(String name, int n) {
        ThreadFactory factory = virtualThreadFactory(name).orElse(null);
        if (factory != null) {
            return Executors.newFixedThreadPool(n, factory);
        }
        AtomicInteger seq = new AtomicInteger();
        return Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, name + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static java.util.Optional<ThreadFactory> virtualThreadFactory(String name) {
        try {
            // Thread.ofVirtual().name(name, 0).factory(), looked up so the jar stays Java 17 bytecode
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            Object builder = l.findStatic(Thread.class, "ofVirtual",
                    MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual"))).invoke();
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle named = l.findVirtual(ofVirtual, "name",
                    MethodType.methodType(ofVirtual, String.class, long.class));
            builder = named.invoke(builder, name + "-", 0L);
            MethodHandle factory = l.findVirtual(Class.forName("java.lang.Thread$Builder"), "factory",
                    MethodType.methodType(ThreadFactory.class));
            return java.util.Optional.of((ThreadFactory) factory.invoke(builder));
        } catch (Throwable e) {
            return java.util.Optional.empty();
        }
    }
}

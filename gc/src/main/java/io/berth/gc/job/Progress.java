package io.berth.gc.job;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one phase of a long job: a live bar on a terminal; off a terminal (cron, CI) a
 * line on stderr every 30 seconds, so logs show the job is alive without drowning in bars.
 */
public final class Progress implements AutoCloseable {
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(30).toNanos();

    private final ProgressBar bar;
    private final PrintStream log;
    private final String task;
    private final String unit;
    private final long started = System.nanoTime();
    private long current;
    private long total = -1;
    private long lastLog = System.nanoTime();

    private Progress(String task, String unit, ProgressBar bar, PrintStream log) {
        this.task = task;
        this.unit = unit;
        this.bar = bar;
        this.log = log;
    }

    /**
     * @param quiet no output at all ({@code --quiet})
     * @param unit  what is counted ("blobs", "repositories"); "bytes" shows a byte rate
     */
    public static Progress start(String task, String unit, boolean quiet) {
        if (quiet) {
            return new Progress(task, unit, null, null);
        }
        if (System.console() != null && !"dumb".equals(System.getenv("TERM"))) {
            ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(-1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate();
            if ("bytes".equals(unit)) {
                b.setUnit(" MiB", 1L << 20).showSpeed();
            } else {
                b.setUnit(" " + unit, 1);
            }
            return new Progress(task, unit, b.build(), null);
        }
        return new Progress(task, unit, null, System.err);
    }

    public synchronized void maxHint(long max) {
        total = max;
        if (bar != null) {
            bar.maxHint(max);
        }
    }

    public synchronized void step(long n) {
        current += n;
        if (bar != null) {
            bar.stepBy(n);
        } else if (log != null && System.nanoTime() - lastLog > LOG_EVERY_NANOS) {
            lastLog = System.nanoTime();
            log.println("berth: " + task + ": " + current + (total >= 0 ? "/" + total : "") + " " + unit);
        }
    }

    public synchronized long current() {
        return current;
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
        } else if (log != null) {
            long ms = (System.nanoTime() - started) / 1_000_000;
            log.println("berth: " + task + ": " + current + " " + unit + " in " + ms + " ms");
        }
    }
}

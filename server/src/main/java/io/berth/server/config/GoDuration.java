package io.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as distribution's config.yml writes them (Go's {@code time.ParseDuration}):
 * {@code 500ms}, {@code 1h30m}, {@code 1.5s}; a bare integer counts nanoseconds, as yaml.v2
 * decodes it into a {@code time.Duration}.
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("^[+-]?(?:" + PART.pattern() + ")+$");

    private GoDuration() {
    }

    /** The value of {@code key}, or {@code dflt} when it is absent or null. */
    public static Duration parse(String key, JsonNode n, Duration dflt) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        if (n.isIntegralNumber()) {
            return Duration.ofNanos(n.asLong());
        }
        String s = n.asText().trim();
        try {
            return parse(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": invalid duration \"" + s + "\" (e.g. 500ms, 10s, 1h30m)");
        }
    }

    public static Duration parse(String s) {
        if (s.equals("0") || s.matches("^\\d+$")) {
            return Duration.ofNanos(Long.parseLong(s));
        }
        if (!WHOLE.matcher(s).matches()) {
            throw new IllegalArgumentException("invalid duration " + s);
        }
        boolean negative = s.startsWith("-");
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) {
            nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1))
                    .multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }

    /** Go's notation for logs: {@code 1.5s}, {@code 250ms}, {@code 168h0m0s}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return trim(nanos / 1_000.0) + "µs";
        }
        if (nanos < 1_000_000_000) {
            return trim(nanos / 1_000_000.0) + "ms";
        }
        long h = d.toHours();
        long m = d.toMinutesPart();
        double s = d.toSecondsPart() + d.toNanosPart() / 1e9;
        return (h > 0 ? h + "h" : "") + (h > 0 || m > 0 ? m + "m" : "") + trim(s) + "s";
    }

    private static String trim(double v) {
        return BigDecimal.valueOf(v).setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}

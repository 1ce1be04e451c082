package io.berth.verify;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the command line's durations ({@code 30d}, {@code 12h}, {@code PT90M}) and points in time. */
public final class TimeSpecs {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(s|m|h|d|w)");

    private TimeSpecs() {
    }

    /** {@code <n>s|m|h|d|w} or ISO-8601 ({@code P30D}, {@code PT12H}). */
    public static Duration duration(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                case "h": return Duration.ofHours(n);
                case "d": return Duration.ofDays(n);
                default: return Duration.ofDays(7 * n);
            }
        }
        try {
            Duration d = Duration.parse(spec.trim().toUpperCase(Locale.ROOT));
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative duration \"" + spec + "\"");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + spec + "\" is not a duration (e.g. 30d, 12h, 90m, P30D)");
        }
    }

    /**
     * A duration back from {@code now} ({@code 30d}), or a point in time: an RFC 3339 timestamp
     * ({@code 2024-05-01T00:00:00Z}) or a date ({@code 2024-05-01}, midnight UTC).
     */
    public static Instant since(String spec, Instant now) {
        try {
            return now.minus(duration(spec));
        } catch (IllegalArgumentException notADuration) {
            // try a timestamp
        }
        String s = spec.trim();
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            // try a date
        }
        try {
            return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + spec
                    + "\" is neither a duration (30d, 12h) nor a timestamp (2024-05-01T00:00:00Z, 2024-05-01)");
        }
    }

    /** An upload's {@code startedat}: RFC 3339 as distribution (Go) and Berth write it. */
    public static Instant rfc3339(String s) {
        return OffsetDateTime.parse(s.trim()).toInstant();
    }
}

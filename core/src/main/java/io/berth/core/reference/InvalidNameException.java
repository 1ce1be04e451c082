package io.berth.core.reference;

/** A repository name or tag outside the reference grammar. */
public class InvalidNameException extends IllegalArgumentException {
    public InvalidNameException(String input, String reason) {
        super("invalid name \"" + truncate(input) + "\": " + reason);
    }

    private static String truncate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}

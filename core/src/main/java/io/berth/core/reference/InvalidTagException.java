package io.berth.core.reference;

/** A tag outside {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public class InvalidTagException extends InvalidNameException {
    public InvalidTagException(String input) {
        super(input, "not a valid tag");
    }
}

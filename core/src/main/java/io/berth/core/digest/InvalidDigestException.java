package io.berth.core.digest;

/** A digest string that does not follow {@code algorithm:hex}. */
public class InvalidDigestException extends IllegalArgumentException {
    private final String input;

    public InvalidDigestException(String input, String reason) {
        super("invalid digest \"" + input + "\": " + reason);
        this.input = input;
    }

    public String input() {
        return input;
    }
}

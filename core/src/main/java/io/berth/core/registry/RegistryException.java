package io.berth.core.registry;

/** A request the registry refuses, carrying the spec's error code; the server turns it into the error body. */
public class RegistryException extends RuntimeException {
    private final ErrorCode code;
    private final int status;
    private final Object detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, code.status(), message, null);
    }

    public RegistryException(ErrorCode code, String message, Object detail) {
        this(code, code.status(), message, detail);
    }

    /** For the few places the spec pairs a code with a status other than its usual one (413, 416). */
    public RegistryException(ErrorCode code, int status, String message, Object detail) {
        super(message == null ? code.message() : message);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Object detail() {
        return detail;
    }
}

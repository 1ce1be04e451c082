package io.berth.migrate.v1;

/** A layer that must never be migrated: its anomaly kind (checksum mismatch, corrupt, not a tar…) and why. */
public final class LayerException extends Exception {
    private final Anomaly.Kind kind;

    public LayerException(Anomaly.Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Anomaly.Kind kind() {
        return kind;
    }
}

package io.wirelink.lab;

/** A lab operation failed: a command exited non-zero, timed out, or the lab is in a state that does not allow it. */
public final class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}

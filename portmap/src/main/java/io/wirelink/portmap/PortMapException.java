package io.wirelink.portmap;

/** A gateway did not give a mapping: no answer, a refusal (with its result code), or an answer we cannot use. */
public final class PortMapException extends Exception {
    private static final long serialVersionUID = 1L;

    public PortMapException(String message) {
        super(message);
    }

    public PortMapException(String message, Throwable cause) {
        super(message, cause);
    }
}

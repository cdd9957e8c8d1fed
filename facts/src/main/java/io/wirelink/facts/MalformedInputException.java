package io.wirelink.facts;

/**
 * The one error a decoder of untrusted input throws. It carries no stack trace: malformed packets are routine
 * data on a network path, not bugs, and filling a trace for each would make a flood expensive.
 */
public final class MalformedInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedInputException(String message) {
        super(message, null, false, false);
    }
}

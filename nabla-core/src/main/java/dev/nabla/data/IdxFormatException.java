package dev.nabla.data;

import java.io.IOException;

/**
 * Signals a file that is not a well-formed IDX file; the message names the file, the field and the
 * values found, so that a corrupt download or a wrong path can be told apart at a glance.
 */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

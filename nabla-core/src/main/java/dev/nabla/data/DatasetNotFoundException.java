package dev.nabla.data;

import java.io.IOException;

/**
 * Signals that a dataset could be found in none of the places it is looked for; the message lists
 * each place tried, why it failed, and how to provide the data.
 */
public final class DatasetNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public DatasetNotFoundException(String message) {
        super(message);
    }
}

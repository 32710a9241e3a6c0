package dev.nabla.io;

/** Malformed JSON text: says what was expected and where (line, column and character offset, all from 1 / 0). */
public final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final int line;
    private final int column;

    JsonException(String message, long offset, int line, int column) {
        super("JSON: " + message + " at line " + line + ", column " + column + " (offset " + offset + ")");
        this.offset = offset;
        this.line = line;
        this.column = column;
    }

    /** Index of the offending character in the text, from 0. */
    public long offset() {
        return offset;
    }

    /** Line of the offending character, from 1. */
    public int line() {
        return line;
    }

    /** Column of the offending character, from 1. */
    public int column() {
        return column;
    }
}

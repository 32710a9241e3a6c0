package dev.nabla.tensor;

/** Element type of a tensor: float32 for computing, float64 for gradient checks and tests. */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8);

    private final String label;
    private final int bytes;

    DType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return label;
    }
}
